import { Inject, Injectable } from '@nestjs/common';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Clock } from '../../../../libs/common/src/clock';
import { CLOCK, CONFIG } from '../runtime/tokens';
import { DomainError } from '../../../../libs/common/src/errors';
import { StateRepository, TargetView } from '../../../../libs/storage/src/state.repository';


export function targetView(t: TargetView) {
  return {
    key: t.key,
    name: t.name,
    system: t.system ?? undefined,
    member: t.member ?? undefined,
    layer: t.layer ?? undefined,
    kind: t.kind,
    endpoint: t.is_endpoint || undefined,
    interval_ms: t.interval_ms,
    timeout_ms: t.timeout_ms,
    labels: t.labels,
    state: t.status ?? 'unknown',
    since: t.status_since,
    consecutive_failures: t.consecutive_failures ?? 0,
    last_result: t.last_scheduled_at
      ? {
          at: t.last_scheduled_at,
          success: t.last_success,
          duration_ms: t.last_duration_ms !== null ? Math.round(t.last_duration_ms * 1000) / 1000 : null,
          reason: t.last_reason ?? undefined,
          warning: t.last_warning ?? undefined,
          http_status: t.http_status ?? undefined,
          cert_expiry: t.cert_expiry ?? undefined,
          role: t.role ?? undefined,
          leader: t.leader ?? undefined,
          epoch: t.epoch ?? undefined,
          lag_seconds: t.lag_seconds ?? undefined,
          lag_bytes: t.lag_bytes ?? undefined,
          peers: t.observation?.peers,
          details: t.observation?.details,
        }
      : null,
  };
}

const HISTORY_DEFAULT_MS = 24 * 3600_000;
const HISTORY_MAX_MS = 400 * 24 * 3600_000;
const LAG_BUCKETS = 240;
const ROLE_EVENTS_LIMIT = 500;

/** The member's role (or `down`) once the event happened; undefined for system-wide events. */
export function roleAfter(e: { kind: string; member: string | null; message: string; details: Record<string, unknown> }): string | undefined {
  const d = e.details ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  switch (e.kind) {
    case 'member_down':
      return 'down';
    case 'member_up':
      return str(d.role) ?? 'up';
    case 'rejoined':
      return str(d.role);
    case 'role_changed':
    case 'promoted':
    case 'demoted':
      return str(d.to);
    case 'leader_changed':
      return e.member ? (/ is the new (\S+) \(/.exec(e.message)?.[1] ?? 'primary') : undefined;
    case 'vip_moved':
      return e.member ? 'vip holder' : undefined;
    default:
      return undefined;
  }
}

/** The read side of systems and targets, straight from the shared state tables. */
@Injectable()
export class SystemsService {

  constructor(
    private readonly repo: StateRepository,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * A system over time: its members' role changes (events, kept without limit) and their
   * replication lag (raw probe results, kept `storage.raw_retention`), for the console's system page.
   */
  async history(name: string, q: { since?: Date; until?: Date }) {
    if (!(await this.repo.systems()).some((x) => x.name === name)) throw new DomainError('not_found', `no system named ${JSON.stringify(name)}`);
    const until = q.until ?? new Date(this.clock.now());
    const since = q.since ?? new Date(until.getTime() - HISTORY_DEFAULT_MS);
    if (since.getTime() >= until.getTime()) throw new DomainError('bad_request', 'since must be before until', { field: 'since' });
    if (until.getTime() - since.getTime() > HISTORY_MAX_MS) throw new DomainError('bad_request', 'since and until may be at most 400 days apart', { field: 'since' });
    const bucketMs = Math.max(1000, Math.ceil((until.getTime() - since.getTime()) / LAG_BUCKETS / 1000) * 1000);
    const [events, lag] = await Promise.all([this.repo.roleEvents(name, since, until, ROLE_EVENTS_LIMIT + 1), this.repo.lagSeries(name, since, until, bucketMs)]);
    const truncated = events.length > ROLE_EVENTS_LIMIT;
    const series = new Map<string, { at: string; lag_seconds: number | null; lag_bytes: number | null }[]>();
    for (const r of lag) {
      const points = series.get(r.member) ?? [];
      points.push({ at: new Date(Number(r.bucket)).toISOString(), lag_seconds: r.lag_seconds, lag_bytes: r.lag_bytes });
      series.set(r.member, points);
    }
    return {
      system: name,
      since: since.toISOString(),
      until: until.toISOString(),
      roles: {
        truncated,
        changes: (truncated ? events.slice(1) : events).map((e) => ({
          at: new Date(e.at).toISOString(),
          member: e.member ?? undefined,
          kind: e.kind,
          role: roleAfter(e),
          message: e.message,
          incident_id: e.incident_id === null ? undefined : Number(e.incident_id),
          drill: e.drill || undefined,
        })),
      },
      lag: {
        bucket_ms: bucketMs,
        kept_ms: this.config.get().storage.rawRetentionMs,
        members: [...series].map(([member, points]) => ({ member, points })),
      },
    };
  }

  async targets(query: { system?: string; state?: string }) {
    const rows = await this.repo.targets({ system: query.system, status: query.state });
    return { targets: rows.map(targetView) };
  }

  async systems() {
    const [systems, targets] = await Promise.all([this.repo.systems(), this.repo.targets()]);
    return { systems: systems.map((s) => this.compose(s, targets.filter((t) => t.system === s.name))) };
  }

  async system(name: string) {
    const systems = await this.repo.systems();
    const s = systems.find((x) => x.name === name);
    if (!s) throw new DomainError('not_found', `no system named ${JSON.stringify(name)}`);
    return this.compose(s, await this.repo.targets({ system: name }));
  }

  private compose(s: Awaited<ReturnType<StateRepository['systems']>>[number], targets: TargetView[]) {
    const endpoint = targets.find((t) => t.is_endpoint);
    const members = targets.filter((t) => !t.is_endpoint);
    const up = endpoint ? endpoint.status === 'up' : members.some((m) => m.status === 'up');
    const known = endpoint ? endpoint.status !== null : members.some((m) => m.status !== null);
    const primaries = members.filter((m) => m.status === 'up' && (m.role === 'primary' || m.role === 'leader')).map((m) => m.member);
    return {
      name: s.name,
      layer: s.layer,
      kind: s.kind,
      description: s.description ?? undefined,
      depends_on: s.depends_on,
      expect: s.expect,
      state: known ? (up ? 'up' : 'down') : 'unknown',
      primary: primaries.length === 1 ? primaries[0] : undefined,
      primaries,
      endpoint: endpoint ? targetView(endpoint) : undefined,
      members: members.map(targetView),
    };
  }
}
