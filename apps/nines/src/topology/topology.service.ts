import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { intervalOf, type NinesConfig } from '../../../../libs/config/src/config';
import type { SystemGraph } from '../../../../libs/incidents/src/correlate';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import type { DriverEvent } from '../../../../libs/probes/src/driver';
import type { ProbeResult } from '../../../../libs/probes/src/observation';
import type { ProbeTarget } from '../../../../libs/probes/src/target';
import type { TargetState } from '../../../../libs/probes/src/target-state';
import type { TopologyEvent } from '../../../../libs/topology/src/events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology, type TopologyInput } from '../../../../libs/topology/src/topology';
import { CLOCK, CONFIG, DATA_SOURCE, LOGGER } from '../runtime/tokens';
import { AlertService } from '../alerting/alert.service';

interface Tracked {
  topology?: SystemTopology;
  incidentId?: number;
  lastFailover?: { at: number; from?: string; to?: string };
  version: number;
  healthy: boolean;
  lastSaveAt: number;
  chain: Promise<void>;
  /** Pushed events waiting for their commit; later arrivals join them. */
  pushed?: TopologyEvent[];
}

const PERIODIC_SAVE_MS = 5000; // lag values change without events; keep the stored picture fresh

/**
 * Folds every observation of a system this replica probes into its topology, commits changes
 * and events (which become incidents) to PostgreSQL. One serial queue per system keeps the
 * order of observations; the version compare-and-set in the repository guards against a second
 * replica that briefly probes the same system during a membership change.
 */
@Injectable()
export class TopologyService {
  private readonly repo: IncidentRepository;
  private tracked = new Map<string, Tracked>();
  private shapes = new Map<string, SystemShape>();
  private graph: SystemGraph = { dependsOn: new Map(), layer: new Map() };
  private endpoints = new Set<string>();

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly alerts: AlertService,
  ) {
    this.repo = new IncidentRepository(ds);
    this.apply(config.get());
    config.onChange((c) => this.apply(c));
  }

  private apply(c: NinesConfig): void {
    const addressOf = new Map(c.targets.map((t) => [t.key, probeAddress(t.probe)]));
    this.shapes = new Map(
      c.systems.map((s) => [
        s.name,
        {
          name: s.name,
          kind: s.kind,
          expect: s.expect,
          members: s.members.map((m) => m.name),
          hasEndpoint: !!s.endpointKey,
          addresses: Object.fromEntries(s.members.flatMap((m) => (addressOf.get(m.key) ? [[m.name, addressOf.get(m.key)!]] : []))),
        },
      ]),
    );
    this.graph = { dependsOn: new Map(c.systems.map((s) => [s.name, s.dependsOn])), layer: new Map(c.systems.map((s) => [s.name, s.layer])) };
    this.endpoints = new Set(c.systems.filter((s) => s.endpointKey).map((s) => s.name));
    this.layers = new Map(c.systems.map((s) => [s.name, { layer: s.layer, labels: s.labels }]));
  }

  private layers = new Map<string, { layer: string; labels: Record<string, string> }>();

  /** Built-in system alerts follow every fold, so pending alerts promote on time. */
  private evaluateAlerts(system: string, t: Tracked, healthy: boolean): void {
    const shape = this.shapes.get(system);
    const meta = this.layers.get(system);
    if (!shape || !meta || !t.topology) return;
    if (healthy) t.incidentId = undefined;
    this.alerts.onSystem({ shape: { ...shape, layer: meta.layer, labels: meta.labels }, topology: t.topology, incidentId: t.incidentId, lastFailover: t.lastFailover });
  }

  private noteEvents(t: Tracked, events: TopologyEvent[], incidents: number[]): void {
    if (incidents.length) t.incidentId = incidents[incidents.length - 1];
    for (const e of events) if (e.kind === 'leader_changed' || e.kind === 'vip_moved' || e.kind === 'switch_master') t.lastFailover = { at: e.at, from: e.details.from as string | undefined, to: e.details.to as string | undefined };
  }

  /** One lookup for every commit, so an incident's uncertainties do not depend on which commit measured it last. */
  private readonly intervalOf = (s: string, m?: string) => intervalOf(this.config.get(), s, m);

  /**
   * Another process committed to this system's topology (an ingested event through the API):
   * read it again now rather than at the next compare-and-set conflict, so what it changed
   * (an external problem raised or cleared) reaches the system's alerts at once.
   */
  reloadFromStore(system: string): void {
    if (!this.tracked.has(system) || !this.shapes.has(system)) return;
    this.enqueue(system, async (t) => {
      t.topology = undefined;
      await this.ensureLoaded(system, t);
      this.evaluateAlerts(system, t, t.healthy);
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
  onExternal(system: string, member: string | undefined, e: DriverEvent): void {
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

  private async ensureLoaded(system: string, t: Tracked): Promise<SystemTopology> {
    if (!t.topology) {
      const stored = await this.repo.loadTopology(system);
      t.topology = stored.topology ?? emptyTopology(system, this.clock.now());
      t.version = stored.version;
      t.healthy = stored.healthy;
    }
    return t.topology;
  }

  private async fold(system: string, t: Tracked, input: TopologyInput, retry = true): Promise<void> {
    const shape = this.shapes.get(system);
    if (!shape) return;
    const prev = await this.ensureLoaded(system, t);
    const { next, events } = observe(prev, shape, input);
    const healthy = isHealthy(next, shape);
    const now = this.clock.now();
    if (!events.length && healthy === t.healthy && now - t.lastSaveAt < PERIODIC_SAVE_MS) {
      t.topology = next;
      this.evaluateAlerts(system, t, healthy);
      return;
    }
    const r = await this.repo.commit({
      system,
      expectedVersion: t.version,
      topology: next,
      healthy,
      wasHealthy: t.healthy,
      events,
      graph: this.graph,
      hasEndpoint: (s) => this.endpoints.has(s),
      intervalMs: this.intervalOf,
    });
    if (!r.ok) {
      // Another replica moved this system's topology on: start again from its version.
      t.topology = undefined;
      if (retry) return this.fold(system, t, input, false);
      this.logger.warn({ system }, 'topology changed concurrently twice; dropping one observation');
      return;
    }
    t.topology = next;
    t.version = r.version;
    t.healthy = healthy;
    t.lastSaveAt = now;
    for (const e of events) this.log(e, r.incidents);
    this.noteEvents(t, events, r.incidents);
    this.evaluateAlerts(system, t, healthy);
  }

  private async commitEvents(system: string, t: Tracked, events: TopologyEvent[], retry = true): Promise<void> {
    const topo = await this.ensureLoaded(system, t);
    const r = await this.repo.commit({
      system,
      expectedVersion: t.version,
      topology: topo,
      healthy: t.healthy,
      wasHealthy: t.healthy,
      events,
      graph: this.graph,
      hasEndpoint: (s) => this.endpoints.has(s),
      intervalMs: this.intervalOf,
    });
    if (!r.ok) {
      t.topology = undefined;
      if (retry) return this.commitEvents(system, t, events, false);
      return;
    }
    t.version = r.version;
    for (const e of events) this.log(e, r.incidents);
    this.noteEvents(t, events, r.incidents);
    this.evaluateAlerts(system, t, t.healthy);
  }

  private log(e: TopologyEvent, incidents: number[]): void {
    const line = { system: e.system, member: e.member, event: e.kind, severity: e.severity, incidents, details: e.details };
    if (e.bad && (e.severity === 'critical' || e.severity === 'major')) this.logger.warn(line, e.message);
    else this.logger.info(line, e.message);
  }
}

/** "host:port" a member is probed at (from `url` or `address`), as peers list it. */
export function probeAddress(probe: Record<string, unknown>): string | undefined {
  if (typeof probe.address === 'string') return probe.address;
  if (typeof probe.url !== 'string') return undefined;
  try {
    const u = new URL(probe.url);
    const defaults: Record<string, string> = { 'redis:': '6379', 'rediss:': '6379', 'postgres:': '5432', 'postgresql:': '5432', 'mysql:': '3306' };
    return `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port || defaults[u.protocol] || ''}`;
  } catch {
    return undefined;
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
