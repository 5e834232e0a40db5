import { Counter, Gauge, Registry } from 'prom-client';
import type { IncidentQuery } from '../../incidents/src/incident.query';

/** Incident series from the shared tables, identical on every api replica. */
export class IncidentCollector {
  constructor(query: IncidentQuery, registry: Registry) {
    const registers = [registry];
    new Gauge({
      name: 'nines_incidents_open',
      help: 'Open incidents by severity (drills counted separately).',
      labelNames: ['severity', 'drill'],
      registers,
      async collect() {
        this.reset();
        // Zeros for the usual severities, so "no open incident" is a value, not an absence.
        for (const severity of ['critical', 'major', 'warning']) this.set({ severity, drill: 'false' }, 0);
        for (const r of await query.openCount().catch(() => [])) this.set({ severity: r.severity, drill: String(r.drill) }, r.n);
      },
    });
    new Counter({
      name: 'nines_failovers_total',
      help: 'Failovers observed per system (a new primary, leader or VIP holder; drills excluded).',
      labelNames: ['system'],
      registers,
      async collect() {
        this.reset();
        for (const r of await query.failoversBySystem().catch(() => [])) this.inc({ system: r.system }, r.n);
      },
    });
  }
}
