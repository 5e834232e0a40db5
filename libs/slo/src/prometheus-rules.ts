import { stringify } from 'yaml';
import { parseDuration } from '../../common/src/duration';
import { customAlertWindows, defaultAlertWindows, type AlertWindow } from './alert-windows';
import { BURN_WINDOWS, SLO_ALERT_NAME } from './burn-alerts';
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

/** Prometheus' own duration text (common/model Duration.String): 7d is 1w, 28d 4w, 30d stays 30d. Sloth names windows so. */
export function promModelDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = '';
  let rest = ms;
  for (const [unit, size, exact] of [
    ['y', 365 * DAY, false],
    ['w', 7 * DAY, true],
    ['d', DAY, false],
    ['h', HOUR, false],
    ['m', MINUTE, false],
    ['s', 1000, false],
    ['ms', 1, false],
  ] as const) {
    if (exact && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** The pairs an SLO's rules alert on: its custom `windows`, or the Sloth spec for its period. */
export function ruleAlertWindows(def: SloDefinition): AlertWindow[] {
  const days = periodMs(def) / DAY;
  const custom = def.promRules?.windows;
  return custom ? customAlertWindows(custom, days, (d) => parseDuration(d)!) : defaultAlertWindows(days);
}

function alertOptions(def: SloDefinition, severity: 'page' | 'ticket'): { labels: Record<string, string>; annotations: Record<string, string> } | undefined {
  const a = def.promRules?.alerting;
  if (a === false) return undefined;
  const sev = a?.[severity];
  if (sev === false) return undefined;
  return { labels: { ...a?.labels, ...sev?.labels }, annotations: { ...a?.annotations, ...sev?.annotations } };
}

/** The rule groups of one SLO, in the style its `prometheus_rules` asks for. */
export function sloRuleGroups(def: SloDefinition, sel: Selection): RuleGroup[] {
  return def.promRules?.style === 'sloth' ? slothGroups(def, sel) : [ninesGroup(def, sel)];
}

/** Nines' style: one group, Sloth's recording names, the slo label, one SLOBurnRate alert per pair. */
export function sloRuleGroup(def: SloDefinition, sel: Selection): RuleGroup {
  return sloRuleGroups(def, sel)[0];
}

function ninesGroup(def: SloDefinition, sel: Selection): RuleGroup {
  const service = def.promRules?.service ?? sel.alertLabels.system ?? sel.alertLabels.target ?? 'nines';
  const base: Record<string, string> = { ...def.labels, sloth_id: def.name, sloth_service: service, sloth_slo: def.name, slo: def.name };
  const id = `{sloth_id=${quote(def.name)}}`;
  const period = promDuration(periodMs(def));
  const days = periodMs(def) / DAY;
  const budget = budgetRatio(def.objective);
  const pairs = ruleAlertWindows(def);
  const windows = [...new Map([...BURN_WINDOWS.map((w) => [w.label, w.ms] as const), ...pairs.flatMap((p) => [[p.short, p.shortMs] as const, [p.long, p.longMs] as const]), [period, periodMs(def)] as const]).entries()].sort((a, b) => a[1] - b[1]).map(([w]) => w);
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
  for (const p of pairs) {
    const opts = alertOptions(def, p.severity);
    if (!opts) continue;
    const factor = +p.burn.toPrecision(12);
    const above = (w: string) => `max(slo:sli_error:ratio_rate${w}${id} > (${factor} * ${budget})) without (sloth_window)`;
    rules.push({
      alert: (def.promRules?.alerting || undefined)?.name ?? SLO_ALERT_NAME,
      expr: `(${above(p.long)}\nand\n${above(p.short)})`,
      labels: { ...sel.alertLabels, slo: def.name, severity: p.severity, long_window: p.long, short_window: p.short, ...opts.labels },
      annotations: {
        summary: `${def.name}: error budget burning more than ${factor}× too fast over ${p.long} and ${p.short}`,
        description: `At this rate ${+(p.budgetFraction * 100).toPrecision(4)}% of the ${def.window.label} error budget of ${def.name} (objective ${def.objective}%) goes in ${p.long}.`,
        ...opts.annotations,
      },
    });
  }
  return { name: `nines-slo-${def.name}`, rules };
}

/**
 * Sloth's style (its prometheus/v1 output): three groups per SLO named by `sloth_id` =
 * `<service>-<slo>`, recording rules labelled sloth_id, sloth_service, sloth_slo (and
 * sloth_window), `sloth_slo_info`, and two alerts, page and ticket, each the `or` of its pairs
 * with the short window first, labelled `sloth_severity`. The SLI itself is Nines' (probe_success).
 */
function slothGroups(def: SloDefinition, sel: Selection): RuleGroup[] {
  const service = def.promRules?.service ?? sel.alertLabels.system ?? sel.alertLabels.target ?? 'nines';
  const slothId = `${service}-${def.name}`;
  const base: Record<string, string> = { ...def.labels, sloth_id: slothId, sloth_service: service, sloth_slo: def.name };
  const id = `{sloth_id=${quote(slothId)}, sloth_service=${quote(service)}, sloth_slo=${quote(def.name)}}`;
  const period = promModelDuration(periodMs(def));
  const pairs = ruleAlertWindows(def);
  // Sloth's numbers: objective / 100, and the budget written as (100 - objective) / 100 in alerts.
  const objective = def.objective / 100;
  const budget = (100 - def.objective) / 100;
  const windows = [...new Map([[promModelDuration(5 * MINUTE), 5 * MINUTE] as const, ...pairs.flatMap((p) => [[promModelDuration(p.shortMs), p.shortMs] as const, [promModelDuration(p.longMs), p.longMs] as const])]).entries()].sort((a, b) => a[1] - b[1]).map(([w]) => w);
  const sli: Record<string, unknown>[] = [{ record: 'slo:probe_good:ratio', expr: goodExpression(def, sel), labels: { ...base } }];
  for (const w of windows) sli.push({ record: `slo:sli_error:ratio_rate${w}`, expr: `1 - avg_over_time(slo:probe_good:ratio${id}[${w}])`, labels: { ...base, sloth_window: w } });
  sli.push({
    record: `slo:sli_error:ratio_rate${period}`,
    expr: `sum_over_time(slo:sli_error:ratio_rate5m${id}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m${id}[${period}])\n`,
    labels: { ...base, sloth_window: period },
  });
  const meta: Record<string, unknown>[] = [
    { record: 'slo:objective:ratio', expr: `vector(${objective})`, labels: { ...base } },
    { record: 'slo:error_budget:ratio', expr: `vector(1-${objective})`, labels: { ...base } },
    { record: 'slo:time_period:days', expr: `vector(${periodMs(def) / DAY})`, labels: { ...base } },
    { record: 'slo:current_burn_rate:ratio', expr: `slo:sli_error:ratio_rate5m${id}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${id}\n`, labels: { ...base } },
    { record: 'slo:period_burn_rate:ratio', expr: `slo:sli_error:ratio_rate${period}${id}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${id}\n`, labels: { ...base } },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${id}`, labels: { ...base } },
    { record: 'sloth_slo_info', expr: 'vector(1)', labels: { ...base, sloth_mode: 'cli-gen-prom', sloth_objective: String(def.objective), sloth_spec: 'prometheus/v1', sloth_version: 'nines' } },
  ];
  const groups: RuleGroup[] = [
    { name: `sloth-slo-sli-recordings-${slothId}`, rules: sli },
    { name: `sloth-slo-meta-recordings-${slothId}`, rules: meta },
  ];
  const alerts: Record<string, unknown>[] = [];
  // Sloth makes each SLO name its alert; without one, a name of its own keeps promtool's duplicate-rule lint quiet.
  const alertName = (def.promRules?.alerting || undefined)?.name ?? `${SLO_ALERT_NAME}_${slothId.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  for (const severity of ['page', 'ticket'] as const) {
    const opts = alertOptions(def, severity);
    const mine = pairs.filter((p) => p.severity === severity);
    if (!opts || !mine.length) continue;
    const above = (ms: number, burn: number) => `max(slo:sli_error:ratio_rate${promModelDuration(ms)}${id} > (${burn} * ${budget})) without (sloth_window)`;
    alerts.push({
      alert: alertName,
      expr: `${mine.map((p) => `(\n    ${above(p.shortMs, p.burn)}\n    and\n    ${above(p.longMs, p.burn)}\n)`).join('\nor\n')}\n`,
      labels: { ...opts.labels, sloth_severity: severity },
      annotations: {
        summary: '{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.',
        title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
        ...opts.annotations,
      },
    });
  }
  if (alerts.length) groups.push({ name: `sloth-slo-alerts-${slothId}`, rules: alerts });
  return groups;
}

export function prometheusRules(items: { def: SloDefinition; selection: Selection }[]): string {
  const header = '# Generated by Nines (GET /api/v1/slos/prometheus-rules) from its SLO definitions.\n# Inputs: probe_success and probe_duration_seconds as exported on Nines\' /metrics.\n';
  return header + stringify({ groups: items.flatMap((i) => sloRuleGroups(i.def, i.selection)) }, { lineWidth: 0 });
}
