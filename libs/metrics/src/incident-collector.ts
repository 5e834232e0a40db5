import { Counter, Gauge, Registry } from 'prom-client';
import { systemClock } from '../../common/src/clock';
import type { IncidentQuery } from '../../incidents/src/incident.query';
import { Snapshot } from './snapshot';

export interface IncidentCollectorOptions {
  query: Pick<IncidentQuery, 'openCount' | 'failoversBySystem'>;
  /** The configured systems: each has a nines_failovers_total series, 0 until its first failover. */
  systems: () => readonly string[];
  waitMs?: number;
}

/**
 * Incident series from the shared tables, identical on every api replica. When the database does
 * not answer, the last figures read stay (a counter never drops or vanishes for an outage of
 * Nines' own PostgreSQL).
 */
export class IncidentCollector {
  private failovers = new Map<string, number>();

  constructor(opts: IncidentCollectorOptions, registry: Registry) {
    const registers = [registry];
    const self = this;
    const waitMs = opts.waitMs ?? 500;
    const open = new Snapshot([], () => opts.query.openCount(), systemClock, 0, waitMs);
    const failovers = new Snapshot([], () => opts.query.failoversBySystem(), systemClock, 0, waitMs);
    new Gauge({
      name: 'nines_incidents_open',
      help: 'Open incidents by severity (drills counted separately).',
      labelNames: ['severity', 'drill'],
      registers,
      async collect() {
        this.reset();
        const rows = await open.get();
        // Zeros for the usual severities and for drills, so "no open incident" is a value, not an absence.
        for (const severity of ['critical', 'major', 'warning']) for (const drill of ['false', 'true']) this.set({ severity, drill }, 0);
        for (const r of rows) this.set({ severity: r.severity, drill: String(!!r.drill) }, Number(r.n));
      },
    });
    new Counter({
      name: 'nines_failovers_total',
      help: 'Failovers observed per system (a new primary, leader or VIP holder; drills excluded).',
      labelNames: ['system'],
      registers,
      async collect() {
        this.reset();
        // A counter never goes back: a figure lower than one already exported (a replica reading
        // a lagging standby) keeps the higher one.
        for (const r of await failovers.get()) self.failovers.set(r.system, Math.max(Number(r.n), self.failovers.get(r.system) ?? 0));
        // One series per configured system; a system removed from the config takes its series along.
        for (const system of new Set(opts.systems())) this.inc({ system }, self.failovers.get(system) ?? 0);
      },
    });
  }
}
