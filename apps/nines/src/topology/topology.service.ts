import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { NinesConfig } from '../../../../libs/config/src/config';
import type { DriverEvent } from '../../../../libs/probes/src/driver';
import type { ProbeResult } from '../../../../libs/probes/src/observation';
import type { ProbeTarget } from '../../../../libs/probes/src/target';
import type { TargetState } from '../../../../libs/probes/src/target-state';
import { commitTopology, readTopology, type KnownTopology, type TopologyStore } from '../../../../libs/topology/src/commit';
import type { TopologyEvent } from '../../../../libs/topology/src/events';
import type { TopologyListener } from '../../../../libs/topology/src/listener';
import { systemShapes } from '../../../../libs/topology/src/system-shapes';
import { isHealthy, observe, type SystemShape, type TopologyInput } from '../../../../libs/topology/src/topology';
import type { ResultListener } from '../../../../libs/probes/src/result-listener';
import { CLOCK, CONFIG, LOGGER, TOPOLOGY_LISTENER, TOPOLOGY_STORE } from '../runtime/tokens';

interface Tracked extends KnownTopology {
  incidentId?: number;
  lastFailover?: { at: number; from?: string; to?: string };
  lastSaveAt: number;
  chain: Promise<void>;
  /** Pushed events waiting for their commit; later arrivals join them. */
  pushed?: TopologyEvent[];
}

const PERIODIC_SAVE_MS = 5000; // lag values change without events; keep the stored picture fresh

/**
 * Folds every observation of a system this replica probes into its topology, commits changes
 * and events (which become incidents) to PostgreSQL. One serial queue per system keeps the
 * order of observations; the version compare-and-set of the commit path guards against a second
 * replica that briefly probes the same system during a membership change.
 */
@Injectable()
export class TopologyService implements ResultListener {
  private tracked = new Map<string, Tracked>();
  private shapes = new Map<string, SystemShape>();
  private layers = new Map<string, { layer: string; labels: Record<string, string> }>();

  constructor(
    @Inject(TOPOLOGY_STORE) private readonly store: TopologyStore,
    @Inject(CONFIG) config: ConfigHolder,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TOPOLOGY_LISTENER) private readonly listener: TopologyListener,
  ) {
    this.apply(config.get());
    config.onChange((c) => this.apply(c));
  }

  private apply(c: NinesConfig): void {
    this.shapes = systemShapes(c);
    this.layers = new Map(c.systems.map((s) => [s.name, { layer: s.layer, labels: s.labels }]));
  }

  /** What follows topology (the built-in system alerts) sees every fold, so pending alerts promote on time. */
  private evaluated(system: string, t: Tracked, healthy: boolean): void {
    const shape = this.shapes.get(system);
    const meta = this.layers.get(system);
    if (!shape || !meta || !t.topology) return;
    if (healthy) t.incidentId = undefined;
    this.listener.onSystemEvaluated({ shape: { ...shape, layer: meta.layer, labels: meta.labels }, topology: t.topology, incidentId: t.incidentId, lastFailover: t.lastFailover });
  }

  private recorded(t: Tracked, events: TopologyEvent[], incidents: number[]): void {
    for (const e of events) this.log(e, incidents);
    if (incidents.length) t.incidentId = incidents[incidents.length - 1];
    for (const e of events) if (e.kind === 'leader_changed' || e.kind === 'vip_moved' || e.kind === 'switch_master') t.lastFailover = { at: e.at, from: e.details.from as string | undefined, to: e.details.to as string | undefined };
  }

  /**
   * Another process committed to this system's topology (an ingested event through the API):
   * read it again now rather than at the next compare-and-set conflict, so what it changed
   * (an external problem raised or cleared) reaches the system's alerts at once.
   */
  reloadFromStore(system: string): void {
    if (!this.tracked.has(system) || !this.shapes.has(system)) return;
    this.enqueue(system, async (t) => {
      t.topology = undefined;
      await readTopology(this.store, t, system, () => this.clock.now());
      this.evaluated(system, t, t.healthy);
    });
  }

  /** The system's topology is read from the store at its next observation (another location committed meanwhile). */
  resync(target: ProbeTarget): void {
    if (!target.system || !this.tracked.has(target.system)) return;
    this.enqueue(target.system, async (t) => {
      t.topology = undefined;
    });
  }

  /** Waits for every queued observation to be committed (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.tracked.values()].map((t) => t.chain));
  }

  onResult(target: ProbeTarget, result: ProbeResult, state: TargetState): void {
    if (!target.system) return;
    const input: TopologyInput = {
      member: target.member,
      probeKind: target.probe.kind,
      intervalMs: target.intervalMs,
      result,
      status: state.status,
      firstFailureAt: state.firstFailureAt,
    };
    this.enqueue(target.system, (t) => this.fold(target.system!, t, input));
  }

  /**
   * An event a system pushed (Sentinel, keepalived notify …): committed at once, before any poll.
   * Events arriving while an earlier commit runs share the next one: Sentinel announces a dozen
   * failover steps within a second, and a commit each kept +switch-master waiting behind them.
   */
  onExternal(target: ProbeTarget, e: DriverEvent): void {
    if (!target.system) return;
    const { system, member } = target;
    const event = toTopologyEvent(system, member, e);
    // Sentinel names the new master by address, the poll of the members by name: one leader, one name.
    const to = event.details.to;
    const named = Object.entries(this.shapes.get(system)?.addresses ?? {}).find(([, address]) => address === to)?.[0];
    if (named) event.details = { ...event.details, to: named };
    const tracked = this.trackedFor(system);
    if (tracked.pushed) {
      tracked.pushed.push(event);
      return;
    }
    tracked.pushed = [event];
    this.enqueue(system, (t) => {
      const events = t.pushed ?? [];
      t.pushed = undefined;
      return this.commitEvents(system, t, events);
    });
  }

  private trackedFor(system: string): Tracked {
    let t = this.tracked.get(system);
    if (!t) {
      t = { version: 0, healthy: true, lastSaveAt: 0, chain: Promise.resolve() };
      this.tracked.set(system, t);
    }
    return t;
  }

  private enqueue(system: string, work: (t: Tracked) => Promise<void>): void {
    const tracked = this.trackedFor(system);
    tracked.chain = tracked.chain.then(() => work(tracked)).catch((err) => {
      this.logger.error({ err, system }, 'topology update failed');
      tracked.topology = undefined; // reload from the database next time
    });
  }

  private async fold(system: string, t: Tracked, input: TopologyInput): Promise<void> {
    const shape = this.shapes.get(system);
    if (!shape) return;
    let checkedAt = 0;
    const r = await commitTopology(this.store, t, {
      system,
      attempts: 2,
      emptyAt: () => this.clock.now(),
      change: (current) => {
        const { next, events } = observe(current, shape, input);
        return { next, events, healthy: isHealthy(next, shape) };
      },
      canWait: (c, known) => {
        checkedAt = this.clock.now();
        return !c.events.length && c.healthy === known.healthy && checkedAt - t.lastSaveAt < PERIODIC_SAVE_MS;
      },
    });
    if (r.status === 'conflict') {
      this.logger.warn({ system }, 'topology changed concurrently twice; dropping one observation');
      return;
    }
    if (r.status === 'written') {
      t.lastSaveAt = checkedAt;
      this.recorded(t, r.events, r.incidents);
    }
    this.evaluated(system, t, r.healthy);
  }

  private async commitEvents(system: string, t: Tracked, events: TopologyEvent[]): Promise<void> {
    // The topology stays as it is: the poll that follows folds what the events announced.
    const r = await commitTopology(this.store, t, { system, attempts: 2, emptyAt: () => this.clock.now(), change: (current, known) => ({ next: current, events, healthy: known.healthy }) });
    if (r.status !== 'written') return;
    this.recorded(t, r.events, r.incidents);
    this.evaluated(system, t, r.healthy);
  }

  private log(e: TopologyEvent, incidents: number[]): void {
    const line = { system: e.system, member: e.member, event: e.kind, severity: e.severity, incidents, details: e.details };
    if (e.bad && (e.severity === 'critical' || e.severity === 'major')) this.logger.warn(line, e.message);
    else this.logger.info(line, e.message);
  }
}

/** Sentinel and friends speak in their own words; map the ones that tell a failover story. */
export function toTopologyEvent(system: string, member: string | undefined, e: DriverEvent): TopologyEvent {
  const d = e.details ?? {};
  if (e.kind === '+switch-master') {
    const to = (d.to as string | undefined) ?? (d.new_master as string | undefined);
    return { kind: 'switch_master', system, member, at: e.at, severity: 'major', bad: true, message: `${system}: ${e.message}`, details: { ...d, to, source_kind: e.kind } };
  }
  const bad = /^\+(odown|sdown|try-failover|failover-state|elected-leader)/.test(e.kind) || e.kind === 'state-change' && /BACKUP|FAULT/.test(String(d.state ?? ''));
  const severity = e.kind === '+odown' ? 'critical' : bad ? 'warning' : 'info';
  return { kind: 'external', system, member, at: e.at, severity, bad, message: `${system}: ${e.message}`, details: { ...d, source_kind: e.kind } };
}
