import { Gauge, Registry } from 'prom-client';
import type { Clock } from '../../common/src/clock';
import type { ProbeTarget } from '../../probes/src/target';
import type { TargetState } from '../../probes/src/target-state';
import type { StateRepository, TargetView } from '../../storage/src/state.repository';
import { Snapshot } from './snapshot';
import { overlayVerdicts, systemsUp, targetSeries, type SettledStatus, type StoredTargetState, type TargetSeries } from './target-series';

const LABELS = ['target', 'system', 'member', 'layer', 'kind'] as const;

type TopologyLag = { system: string; member: string; lag_seconds: number | null; lag_bytes: number | null };

export interface StateCollectorOptions {
  /** The configured targets (members, endpoints, standalone): the series' label sets. */
  targets: () => readonly ProbeTarget[];
  /** Shared target_state rows: other probers' targets. */
  state: Pick<StateRepository, 'targets' | 'topologyLag'>;
  /** This process's own prober state, when it runs one: fresh without any dependency. */
  live: () => ((key: string) => TargetState | undefined) | undefined;
  clock: Clock;
  /** Quorum verdicts settled by probing locations (Redis): newer than the stored rows while they flush. */
  verdicts?: () => Promise<Map<string, SettledStatus>>;
  maxAgeMs?: number;
  waitMs?: number;
}

/**
 * Blackbox-compatible and HA-state series for every configured target. Each target's last result
 * comes from whichever source saw it last: this process's prober (so the series stay while
 * PostgreSQL is unreachable) or the shared rows (every api replica exports the whole picture).
 * A result older than two intervals plus the timeout is still exported, with nines_probe_stale 1.
 */
export class StateCollector {
  private readonly rows: Snapshot<Map<string, StoredTargetState>>;
  private readonly topo: Snapshot<TopologyLag[]>;
  private memo?: { at: number; series: Promise<TargetSeries[]> };
  private readonly verdicts?: Snapshot<Map<string, SettledStatus>>;

  constructor(
    private readonly opts: StateCollectorOptions,
    registry: Registry,
  ) {
    const maxAgeMs = opts.maxAgeMs ?? 1000;
    const waitMs = opts.waitMs ?? 500;
    this.rows = new Snapshot(new Map(), async () => new Map((await opts.state.targets()).map((r: TargetView) => [r.key, r])), opts.clock, maxAgeMs, waitMs);
    this.topo = new Snapshot([], () => opts.state.topologyLag(), opts.clock, maxAgeMs, waitMs);
    // Redis answers in a fraction of a millisecond: read often, so the verdict shows within a scrape or two.
    if (opts.verdicts) this.verdicts = new Snapshot(new Map(), opts.verdicts, opts.clock, Math.min(maxAgeMs, 200), waitMs);
    const registers = [registry];
    const self = this;
    const labelsOf = (t: TargetSeries) => ({ target: t.key, system: t.system ?? '', member: t.member ?? '', layer: t.layer ?? '', kind: t.kind });
    const perTarget = (name: string, help: string, value: (t: TargetSeries) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: LABELS,
        registers,
        async collect() {
          this.reset();
          for (const t of await self.series()) {
            const v = value(t);
            if (v !== undefined) this.set(labelsOf(t), v);
          }
        },
      });
    perTarget('probe_success', 'Whether the last probe of the target succeeded (1) or failed (0).', (t) => (t.success ? 1 : 0));
    perTarget('probe_duration_seconds', 'Duration of the last probe of the target in seconds.', (t) => (t.durationMs === undefined ? undefined : t.durationMs / 1000));
    perTarget('probe_http_status_code', 'HTTP status code of the last probe (HTTP probes only).', (t) => t.httpStatus);
    perTarget('probe_ssl_earliest_cert_expiry', 'Earliest expiry of the served certificate chain, unix seconds.', (t) => t.certExpiry);
    perTarget('nines_probe_last_run_timestamp_seconds', 'When the last probe of the target was scheduled, unix seconds.', (t) => t.at / 1000);
    perTarget(
      'nines_probe_stale',
      "1 when the target's last result is older than two intervals plus the timeout (no prober has reported it since): its probe_* series then hold that last result.",
      (t) => (t.stale ? 1 : 0),
    );
    new Gauge({
      name: 'nines_member_role',
      help: 'Current role of a system member (1 for the role it holds now).',
      labelNames: ['system', 'member', 'role'],
      registers,
      async collect() {
        this.reset();
        for (const t of await self.series()) {
          if (!t.member || !t.system) continue;
          this.set({ system: t.system, member: t.member, role: t.success ? (t.role ?? 'unknown') : 'down' }, 1);
        }
      },
    });
    const lagGauge = (name: string, help: string, pick: (l: { seconds?: number; bytes?: number }) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['system', 'member'],
        registers,
        async collect() {
          this.reset();
          for (const l of await self.lags()) {
            const v = pick(l);
            if (v !== undefined) this.set({ system: l.system, member: l.member }, v);
          }
        },
      });
    lagGauge('nines_replication_lag_seconds', 'Replication lag of a member as it reports it, in seconds.', (l) => l.seconds);
    lagGauge('nines_replication_lag_bytes', 'Replication lag of a member in bytes (WAL, replication offset) where the system reports it.', (l) => l.bytes);
    new Gauge({
      name: 'nines_system_up',
      help: 'Whether the system serves its users: its endpoint answers, or (without an endpoint) at least one member is up.',
      labelNames: ['system'],
      registers,
      async collect() {
        this.reset();
        for (const [system, up] of systemsUp(await self.series())) this.set({ system }, up ? 1 : 0);
      },
    });
  }

  /** The merged per-target picture, computed once per scrape (every gauge above asks). */
  series(): Promise<TargetSeries[]> {
    const now = this.opts.clock.now();
    if (!this.memo || now - this.memo.at > 200) {
      const series = Promise.all([this.rows.get(), this.verdicts?.get()]).then(([rows, verdicts]) => {
        const s = targetSeries(this.opts.targets(), rows, this.opts.live() ?? (() => undefined), this.opts.clock.now());
        return verdicts?.size ? overlayVerdicts(s, verdicts) : s;
      });
      this.memo = { at: now, series };
    }
    return this.memo.series;
  }

  /** Each member's own reported lag, else the topology's (its primary's view of it). */
  private async lags(): Promise<{ system: string; member: string; seconds?: number; bytes?: number }[]> {
    const [series, topo] = await Promise.all([this.series(), this.topo.get()]);
    const fromTopology = new Map(topo.map((t) => [`${t.system}/${t.member}`, t]));
    const out: { system: string; member: string; seconds?: number; bytes?: number }[] = [];
    for (const t of series) {
      if (!t.member || !t.system || !t.success) continue;
      const tp = fromTopology.get(`${t.system}/${t.member}`);
      const seconds = t.lagSeconds ?? tp?.lag_seconds ?? undefined;
      const bytes = t.lagBytes ?? tp?.lag_bytes ?? undefined;
      if (seconds !== undefined || bytes !== undefined) out.push({ system: t.system, member: t.member, seconds: seconds === undefined ? undefined : Number(seconds), bytes: bytes === undefined ? undefined : Number(bytes) });
    }
    return out;
  }
}
