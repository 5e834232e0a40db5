import { Injectable } from '@nestjs/common';
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

/** The read side of systems and targets, straight from the shared state tables. */
@Injectable()
export class SystemsService {

  constructor(private readonly repo: StateRepository) {}

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
