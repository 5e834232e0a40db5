import { Gauge, Registry } from 'prom-client';
import type { StateRepository, TargetView } from '../../storage/src/state.repository';

const LABELS = ['target', 'system', 'member', 'layer', 'kind'] as const;

/**
 * Blackbox-compatible and HA-state series, read from the shared target_state table at scrape
 * time (cached briefly), so every API replica exports the same picture and a target moving
 * between probers does not leave stale series behind.
 */
export class StateCollector {
  private cache?: { at: number; rows: Promise<TargetView[]> };

  constructor(
    private readonly state: StateRepository,
    registry: Registry,
    private readonly maxAgeMs = 1000,
  ) {
    const registers = [registry];
    const self = this;
    const labelsOf = (t: TargetView) => ({ target: t.key, system: t.system ?? '', member: t.member ?? '', layer: t.layer ?? '', kind: t.kind });
    new Gauge({
      name: 'probe_success',
      help: 'Whether the last probe of the target succeeded (1) or failed (0).',
      labelNames: LABELS,
      registers,
      async collect() {
        this.reset();
        for (const t of await self.rows()) if (t.last_success !== null) this.set(labelsOf(t), t.last_success ? 1 : 0);
      },
    });
    new Gauge({
      name: 'probe_duration_seconds',
      help: 'Duration of the last probe of the target in seconds.',
      labelNames: LABELS,
      registers,
      async collect() {
        this.reset();
        for (const t of await self.rows()) if (t.last_duration_ms !== null) this.set(labelsOf(t), t.last_duration_ms / 1000);
      },
    });
    new Gauge({
      name: 'probe_http_status_code',
      help: 'HTTP status code of the last probe (HTTP probes only).',
      labelNames: LABELS,
      registers,
      async collect() {
        this.reset();
        for (const t of await self.rows()) if (t.http_status !== null) this.set(labelsOf(t), t.http_status);
      },
    });
    new Gauge({
      name: 'probe_ssl_earliest_cert_expiry',
      help: 'Earliest expiry of the served certificate chain, unix seconds.',
      labelNames: LABELS,
      registers,
      async collect() {
        this.reset();
        for (const t of await self.rows()) if (t.cert_expiry !== null) this.set(labelsOf(t), new Date(t.cert_expiry).getTime() / 1000);
      },
    });
    new Gauge({
      name: 'nines_member_role',
      help: 'Current role of a system member (1 for the role it holds now).',
      labelNames: ['system', 'member', 'role'],
      registers,
      async collect() {
        this.reset();
        for (const t of await self.rows()) {
          if (!t.member || !t.system) continue;
          const role = t.last_success ? (t.role ?? 'unknown') : 'down';
          this.set({ system: t.system, member: t.member, role }, 1);
        }
      },
    });
    new Gauge({
      name: 'nines_replication_lag_seconds',
      help: 'Replication lag of a member as it reports it, in seconds.',
      labelNames: ['system', 'member'],
      registers,
      async collect() {
        this.reset();
        for (const l of await self.lags()) if (l.seconds !== undefined) this.set({ system: l.system, member: l.member }, l.seconds);
      },
    });
    new Gauge({
      name: 'nines_replication_lag_bytes',
      help: 'Replication lag of a member in bytes (WAL, replication offset) where the system reports it.',
      labelNames: ['system', 'member'],
      registers,
      async collect() {
        this.reset();
        for (const l of await self.lags()) if (l.bytes !== undefined) this.set({ system: l.system, member: l.member }, l.bytes);
      },
    });
    new Gauge({
      name: 'nines_system_up',
      help: 'Whether the system serves its users: its endpoint answers, or (without an endpoint) at least one member is up.',
      labelNames: ['system'],
      registers,
      async collect() {
        this.reset();
        const bySystem = new Map<string, { endpoint?: boolean; anyUp: boolean; seen: boolean }>();
        for (const t of await self.rows()) {
          if (!t.system || t.last_success === null) continue;
          const s = bySystem.get(t.system) ?? { anyUp: false, seen: false };
          s.seen = true;
          if (t.is_endpoint) s.endpoint = t.status === 'up';
          else if (t.status === 'up') s.anyUp = true;
          bySystem.set(t.system, s);
        }
        for (const [system, s] of bySystem) this.set({ system }, (s.endpoint ?? s.anyUp) ? 1 : 0);
      },
    });
  }

  private lagCache?: { at: number; rows: Promise<{ system: string; member: string; seconds?: number; bytes?: number }[]> };

  /** Each member's own reported lag, else the topology's (its primary's view of it). */
  private lags(): Promise<{ system: string; member: string; seconds?: number; bytes?: number }[]> {
    const now = Date.now();
    if (!this.lagCache || now - this.lagCache.at > this.maxAgeMs) {
      const rows = Promise.all([this.rows(), this.state.topologyLag().catch(() => [])]).then(([targets, topo]) => {
        const fromTopology = new Map(topo.map((t) => [`${t.system}/${t.member}`, t]));
        const out: { system: string; member: string; seconds?: number; bytes?: number }[] = [];
        for (const t of targets) {
          if (!t.member || !t.system || !t.last_success) continue;
          const tp = fromTopology.get(`${t.system}/${t.member}`);
          const seconds = t.lag_seconds ?? tp?.lag_seconds ?? undefined;
          const bytes = t.lag_bytes ?? tp?.lag_bytes ?? undefined;
          if (seconds !== undefined || bytes !== undefined) out.push({ system: t.system, member: t.member, seconds, bytes });
        }
        return out;
      });
      this.lagCache = { at: now, rows };
    }
    return this.lagCache.rows;
  }

  private rows(): Promise<TargetView[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > this.maxAgeMs) {
      const rows = this.state.targets().catch(() => [] as TargetView[]);
      this.cache = { at: now, rows };
    }
    return this.cache.rows;
  }
}
