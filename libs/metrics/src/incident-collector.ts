import { Counter, Gauge, Registry } from 'prom-client';
import type { IncidentQuery } from '../../incidents/src/incident.query';

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
  private open: { severity: string; drill: boolean; n: number }[] = [];
  private failovers = new Map<string, number>();

  constructor(opts: IncidentCollectorOptions, registry: Registry) {
    const registers = [registry];
    const self = this;
    const waitMs = opts.waitMs ?? 1500;
    const within = <T>(p: Promise<T>): Promise<T | undefined> =>
      Promise.race([p.catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), waitMs).unref())]);
    new Gauge({
      name: 'nines_incidents_open',
      help: 'Open incidents by severity (drills counted separately).',
      labelNames: ['severity', 'drill'],
      registers,
      async collect() {
        this.reset();
        const rows = await within(opts.query.openCount());
        if (rows) self.open = rows.map((r) => ({ severity: r.severity, drill: !!r.drill, n: Number(r.n) }));
        // Zeros for the usual severities and for drills, so "no open incident" is a value, not an absence.
        for (const severity of ['critical', 'major', 'warning']) for (const drill of ['false', 'true']) this.set({ severity, drill }, 0);
        for (const r of self.open) this.set({ severity: r.severity, drill: String(r.drill) }, r.n);
      },
    });
    new Counter({
      name: 'nines_failovers_total',
      help: 'Failovers observed per system (a new primary, leader or VIP holder; drills excluded).',
      labelNames: ['system'],
      registers,
      async collect() {
        this.reset();
        const rows = await within(opts.query.failoversBySystem());
        if (rows) {
          // A counter never goes back: a figure lower than one already exported (a replica reading
          // a lagging standby) keeps the higher one.
          for (const r of rows) self.failovers.set(r.system, Math.max(Number(r.n), self.failovers.get(r.system) ?? 0));
        }
        // One series per configured system; a system removed from the config takes its series along.
        for (const system of new Set(opts.systems())) this.inc({ system }, self.failovers.get(system) ?? 0);
      },
    });
  }
}
