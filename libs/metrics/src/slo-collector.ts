import { Gauge, Registry } from 'prom-client';
import { budgetRatio, objectiveRatio } from '../../slo/src/definition';
import type { SloReport } from '../../slo/src/engine';

/**
 * SLO series (PRODUCT.md): objective, availability and burn rate per window, budget remaining
 * and nines, from the SLO service's cached evaluation (never one evaluation per scrape).
 * Every SLO has every series from the first scrape. Before its first valid event (nothing probed
 * in the window yet) nothing has been spent or burnt: budget remaining 1, burn rates 0, while
 * availability and nines, a ratio of no events, are NaN. When an evaluation fails (Nines' own
 * PostgreSQL unreachable), the last one stays.
 */
export class SloCollector {
  constructor(reports: () => Promise<SloReport[]>, registry: Registry) {
    const registers = [registry];
    // `reports` is cached by the caller (SloService.current), so every gauge may ask.
    let last: SloReport[] = [];
    const read = async () => {
      const fresh = await reports().catch(() => undefined);
      if (fresh) last = fresh;
      return last;
    };
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, r: SloReport) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          for (const r of await read()) fill(this, r);
        },
      });
    const slo = (r: SloReport) => r.plan.def.name;
    gauge('nines_slo_objective_ratio', 'SLO objective as a ratio (99.95% → 0.9995).', ['slo'], (g, r) => g.set({ slo: slo(r) }, objectiveRatio(r.plan.def.objective)));
    gauge(
      'nines_slo_availability_ratio',
      'SLI (good / valid events) over the SLO window (window = its spec, e.g. 30d or month) and over each burn-rate window.',
      ['slo', 'window'],
      (g, r) => {
        g.set({ slo: slo(r), window: r.plan.window.label }, r.numbers.sli ?? NaN);
        for (const [w, burn] of Object.entries(r.burnRates)) if (w !== r.plan.window.label) g.set({ slo: slo(r), window: w }, burn === null ? NaN : 1 - burn * budgetRatio(r.plan.def.objective));
      },
    );
    gauge('nines_slo_error_budget_remaining_ratio', 'Error budget left: 1 untouched, 0 exhausted, negative overspent.', ['slo'], (g, r) => {
      g.set({ slo: slo(r) }, r.budget.remainingRatio ?? (r.numbers.bad > 0 ? 0 : 1));
    });
    gauge('nines_slo_error_budget_remaining_seconds', 'Error budget left as downtime (negative when overspent).', ['slo'], (g, r) => {
      if (r.budget.remainingMs !== null) g.set({ slo: slo(r) }, r.budget.remainingMs / 1000);
    });
    gauge('nines_slo_burn_rate', 'How many times faster than the budget allows errors arrive, per window (5m … 3d).', ['slo', 'window'], (g, r) => {
      for (const [w, burn] of Object.entries(r.burnRates)) g.set({ slo: slo(r), window: w }, burn ?? 0);
    });
    gauge('nines_slo_nines', 'Availability nines over the SLO window: −log10(1 − availability); +Inf without errors.', ['slo'], (g, r) => {
      g.set({ slo: slo(r) }, r.nines ?? NaN);
    });
  }
}
