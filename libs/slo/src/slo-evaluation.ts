import type { AlertSpec } from '../../alerting/src/alert';
import type { NinesConfig } from '../../config/src/config';
import { burnAlerts } from './burn-alerts';
import { toDefinition, type SloDefinition } from './definition';
import { computeSlo, cutRequests, planSlo, type SloReport } from './engine';
import type { RollupRepository } from './rollup.repository';
import type { SloDataRepository } from './slo-data.repository';
import { BURN_WINDOWS } from './burn-alerts';
import { DAY } from './window';

/** Config SLOs first; an API-defined SLO whose name the config now uses is shadowed by it. */
export function mergeDefinitions(config: NinesConfig, api: SloDefinition[]): SloDefinition[] {
  const fromConfig = config.raw.slos.map((s) => toDefinition(s, 'config'));
  const names = new Set(fromConfig.map((d) => d.name));
  return [...fromConfig, ...api.filter((d) => !names.has(d.name))];
}

/** The alerts an SLO report asks for, in scope `slo:<name>`. */
export function sloAlertSpecs(r: SloReport): AlertSpec[] {
  const { def, window: w, selection } = r.plan;
  return burnAlerts(r.alerts, { slo: def.name, windowLabel: w.label, windowDays: w.nominalDays, labels: { ...def.labels, ...selection.alertLabels }, exhaustsInMs: r.exhaustsInMs });
}

/**
 * Evaluates SLOs against the rollups: definitions from the config and the API, the registry,
 * exclusions, then one batched read of every count all of them need.
 */
export class SloEvaluation {
  constructor(
    private readonly data: SloDataRepository,
    private readonly rollups: RollupRepository,
  ) {}

  async definitions(config: NinesConfig): Promise<SloDefinition[]> {
    const api: SloDefinition[] = [];
    for (const row of await this.data.apiDefinitions()) {
      try {
        api.push(toDefinition(row.spec, 'api'));
      } catch {
        // A stored definition the current code cannot read is skipped, not fatal to the others.
      }
    }
    return mergeDefinitions(config, api);
  }

  async evaluate(defs: SloDefinition[], config: NinesConfig, now: number, opts: { daily?: (name: string) => boolean } = {}): Promise<SloReport[]> {
    if (!defs.length) return [];
    const registry = await this.data.registry();
    const longest = Math.max(BURN_WINDOWS[BURN_WINDOWS.length - 1].ms, ...defs.map((d) => (d.window.kind === 'rolling' ? d.window.ms : 93 * DAY)));
    const inputs = await this.data.exclusionInputs(now - longest - DAY, now, new Map(config.raw.alerting.time_intervals.map((t) => [t.name, t.intervals])));
    const plans = defs.map((d) => planSlo(d, registry, inputs, now, { daily: opts.daily?.(d.name) }));
    const counts = await this.rollups.counts(cutRequests(plans));
    return plans.map((p) => computeSlo(p, counts));
  }
}
