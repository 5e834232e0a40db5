import { fromZod, type ConfigIssue } from '../../config/src/errors';
import { readLabelSet, type LabelLimits } from '../../config/src/label-set';
import { sloSchema } from '../../config/src/schema';
import type { RawSlo } from './definition';

/** What references in an SLO are checked against; without it, only the shape is checked. */
export interface SloReferences {
  targets: Set<string>;
  systems: Set<string>;
  timeIntervals: Set<string>;
}

/**
 * Validates one SLO in its YAML shape (the API's POST body, an imported OpenSLO document) with
 * the config's own schema, so every source gives the same `path: reason` errors. With `labels`
 * (the running limits.labels), its label sets are bounded as ingested labels are.
 */
export function validateSlo(input: unknown, refs?: SloReferences, base: (string | number)[] = [], labels?: LabelLimits): { slo: RawSlo; issues: [] } | { slo?: undefined; issues: ConfigIssue[] } {
  const parsed = sloSchema.safeParse(input);
  if (!parsed.success) return { issues: fromZod(parsed.error, sloSchema, base, input) };
  const slo = parsed.data as RawSlo;
  const issues: ConfigIssue[] = [];
  const at = (...p: (string | number)[]) => [...base, ...p].map((x, i) => (typeof x === 'number' ? `[${x}]` : i ? `.${x}` : x)).join('');
  if (labels) {
    for (const [set, path] of [[slo.labels, ['labels']], [slo.selector.labels, ['selector', 'labels']]] as const) {
      if (set !== undefined) for (const i of readLabelSet(set, labels).issues) issues.push({ path: at(...path, ...i.path), message: i.message });
    }
  }
  if (refs) {
    if (slo.selector.target !== undefined && !refs.targets.has(slo.selector.target)) issues.push({ path: at('selector', 'target'), message: `unknown target ${JSON.stringify(slo.selector.target)}` });
    if (slo.selector.system !== undefined && !refs.systems.has(slo.selector.system)) issues.push({ path: at('selector', 'system'), message: `unknown system ${JSON.stringify(slo.selector.system)}` });
    (slo.exclude.maintenance_windows ?? []).forEach((n, i) => {
      if (!refs.timeIntervals.has(n)) issues.push({ path: at('exclude', 'maintenance_windows', i), message: `unknown time interval ${JSON.stringify(n)} (define it in alerting.time_intervals)` });
    });
  }
  return issues.length ? { issues } : { slo, issues: [] };
}
