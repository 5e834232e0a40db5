import { stringify } from 'yaml';
import { ALERT_PAIRS, BURN_WINDOWS, burnFactor, SLO_ALERT_NAME } from './burn-alerts';
import { budgetRatio, objectiveRatio, type SloDefinition } from './definition';
import type { Selection } from './selection';
import { DAY, HOUR, MINUTE, NOMINAL_DAYS } from './window';

/**
 * A Prometheus rules file computing the same SLIs, burn rates and multi-window alerts from
 * Nines' exported probe_success (and probe_duration_seconds) series, with Sloth's recording
 * rule names and labels, so the numbers can live in the users' own Prometheus too.
 *
 * Differences, by necessity: Prometheus samples the probe_success gauge at its scrape times
 * where Nines counts every probe; windows are rolling (a calendar SLO uses its nominal length:
 * week 7d, month 30d, quarter 90d); exclusions (drills, maintenance, silences) are not known
 * to it. Gaps (no samples) are neither good nor bad in both.
 */

/** A duration in Prometheus' syntax, in the largest unit that divides it. */
export function promDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function seriesSelector(sel: Selection['prom']): string {
  if (sel.kind === 'system-any') return `{system=${quote(sel.system)},member!=""}`;
  if (sel.keys.length === 1) return `{target=${quote(sel.keys[0])}}`;
  if (!sel.keys.length) return `{target="__nines_no_target__"}`;
  return `{target=~${quote(sel.keys.map(regexEscape).join('|'))}}`;
}

/** The good ratio at one instant: the share of selected probes that are up (and fast enough). */
export function goodExpression(def: SloDefinition, sel: Selection): string {
  const s = seriesSelector(sel.prom);
  const agg = sel.prom.kind === 'system-any' ? 'max' : 'avg';
  if (def.sli.kind === 'latency') return `${agg}(probe_success${s} * (probe_duration_seconds${s} <= bool ${def.sli.thresholdMs / 1000}))`;
  return `${agg}(probe_success${s})`;
}

export function periodMs(def: SloDefinition): number {
  return def.window.kind === 'rolling' ? def.window.ms : NOMINAL_DAYS[def.window.unit] * DAY;
}

export interface RuleGroup {
  name: string;
  rules: Record<string, unknown>[];
}

export function sloRuleGroup(def: SloDefinition, sel: Selection): RuleGroup {
  const service = sel.alertLabels.system ?? sel.alertLabels.target ?? 'nines';
  const base: Record<string, string> = { ...def.labels, sloth_id: def.name, sloth_service: service, sloth_slo: def.name, slo: def.name };
  const id = `{sloth_id=${quote(def.name)}}`;
  const period = promDuration(periodMs(def));
  const days = periodMs(def) / DAY;
  const budget = budgetRatio(def.objective);
  const windows = [...new Set([...BURN_WINDOWS.map((w) => w.label), period])];
  const rules: Record<string, unknown>[] = [{ record: 'slo:probe_good:ratio', expr: goodExpression(def, sel), labels: { ...base } }];
  for (const w of windows)
    rules.push({ record: `slo:sli_error:ratio_rate${w}`, expr: `1 - avg_over_time(slo:probe_good:ratio${id}[${w}])`, labels: { ...base, sloth_window: w } });
  rules.push(
    { record: 'slo:objective:ratio', expr: `vector(${objectiveRatio(def.objective)})`, labels: { ...base } },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels: { ...base } },
    { record: 'slo:time_period:days', expr: `vector(${days})`, labels: { ...base } },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate5m${id} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio${id}`,
      labels: { ...base },
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate${period}${id} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio${id}`,
      labels: { ...base },
    },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${id}`, labels: { ...base } },
  );
  for (const p of ALERT_PAIRS) {
    const factor = burnFactor(p, days);
    const above = (w: string) => `max(slo:sli_error:ratio_rate${w}${id} > (${factor} * ${budget})) without (sloth_window)`;
    rules.push({
      alert: SLO_ALERT_NAME,
      expr: `(${above(p.long)}\nand\n${above(p.short)})`,
      labels: { ...sel.alertLabels, slo: def.name, severity: p.severity, long_window: p.long, short_window: p.short },
      annotations: {
        summary: `${def.name}: error budget burning more than ${factor}× too fast over ${p.long} and ${p.short}`,
        description: `At this rate ${(p.budgetFraction * 100).toFixed(0)}% of the ${def.window.label} error budget of ${def.name} (objective ${def.objective}%) goes in ${p.long}.`,
      },
    });
  }
  return { name: `nines-slo-${def.name}`, rules };
}

export function prometheusRules(items: { def: SloDefinition; selection: Selection }[]): string {
  const header = '# Generated by Nines (GET /api/v1/slos/prometheus-rules) from its SLO definitions.\n# Inputs: probe_success and probe_duration_seconds as exported on Nines\' /metrics.\n';
  return header + stringify({ groups: items.map((i) => sloRuleGroup(i.def, i.selection)) }, { lineWidth: 0 });
}
