import { parseDuration } from '../../common/src/duration';
import { bucketLabel, latencyBucket } from './latency-buckets';
import type { CalendarUnit, WindowSpec } from './window';

export interface SloSelector {
  system?: string;
  target?: string;
  labels?: Record<string, string>;
}

export type SliSpec = { kind: 'availability' } | { kind: 'latency'; thresholdMs: number; bucket: number };

export interface SloExclusions {
  drills: boolean;
  maintenance: boolean;
  silenced: boolean;
  /** Names of alerting.time_intervals that are this SLO's maintenance windows. */
  maintenanceWindows: string[];
}

/** An SLO as the engine uses it, from the config file or from the API. */
export interface SloDefinition {
  name: string;
  description?: string;
  selector: SloSelector;
  sli: SliSpec;
  /** Percent, e.g. 99.95. */
  objective: number;
  window: WindowSpec;
  timezone: string;
  exclude: SloExclusions;
  labels: Record<string, string>;
  /** How the exported Prometheus rules write this SLO; absent: Nines' style and defaults. */
  promRules?: PromRulesOptions;
  source: 'config' | 'api';
}

export type RuleAlertOptions = false | { labels?: Record<string, string>; annotations?: Record<string, string> };

export interface PromRulesOptions {
  style: 'nines' | 'sloth';
  service?: string;
  alerting?: false | { name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; page?: RuleAlertOptions; ticket?: RuleAlertOptions };
  windows?: { long: string; short: string; burn: number; severity?: 'page' | 'ticket' }[];
}

/** The YAML shape (config `slos:` entries and the API's POST body), after schema validation. */
export interface RawSlo {
  name: string;
  description?: string;
  selector: SloSelector;
  sli: { kind: 'availability' | 'latency'; threshold?: string };
  objective: number;
  window: string;
  timezone: string;
  exclude: { drills: boolean; maintenance: boolean; silenced: boolean; maintenance_windows?: string[] };
  labels?: Record<string, string>;
  prometheus_rules?: PromRulesOptions;
}

const CALENDAR = new Set(['week', 'month', 'quarter']);

export function parseWindow(text: string): WindowSpec {
  if (CALENDAR.has(text)) return { kind: 'calendar', unit: text as CalendarUnit, label: text };
  const ms = parseDuration(text);
  if (!ms || ms <= 0) throw new Error(`window ${JSON.stringify(text)} is neither a duration nor week, month, quarter`);
  return { kind: 'rolling', ms, label: text };
}

/** Converts a validated raw SLO; the schema has already checked the threshold is a bucket boundary. */
export function toDefinition(raw: RawSlo, source: SloDefinition['source']): SloDefinition {
  let sli: SliSpec = { kind: 'availability' };
  if (raw.sli.kind === 'latency') {
    const thresholdMs = parseDuration(raw.sli.threshold ?? '') ?? 0;
    const bucket = latencyBucket(thresholdMs);
    if (!bucket) throw new Error(`latency threshold ${raw.sli.threshold} is not a bucket boundary`);
    sli = { kind: 'latency', thresholdMs, bucket };
  }
  return {
    name: raw.name,
    description: raw.description,
    selector: raw.selector,
    sli,
    objective: raw.objective,
    window: parseWindow(raw.window),
    timezone: raw.timezone,
    exclude: { drills: raw.exclude.drills, maintenance: raw.exclude.maintenance, silenced: raw.exclude.silenced, maintenanceWindows: raw.exclude.maintenance_windows ?? [] },
    labels: raw.labels ?? {},
    ...(raw.prometheus_rules ? { promRules: raw.prometheus_rules } : {}),
    source,
  };
}

/** The definition back in its YAML shape (API output, OpenSLO import, persistence). */
export function toRaw(d: SloDefinition): RawSlo {
  const raw: RawSlo = {
    name: d.name,
    selector: d.selector,
    sli: d.sli.kind === 'latency' ? { kind: 'latency', threshold: bucketLabel(d.sli.thresholdMs) } : { kind: 'availability' },
    objective: d.objective,
    window: d.window.label,
    timezone: d.timezone,
    exclude: { drills: d.exclude.drills, maintenance: d.exclude.maintenance, silenced: d.exclude.silenced, maintenance_windows: d.exclude.maintenanceWindows },
  };
  if (d.description) raw.description = d.description;
  if (Object.keys(d.labels).length) raw.labels = d.labels;
  return raw;
}

/** Objective as a ratio, free of binary noise (99.95 → 0.9995, not 0.9994999…). */
export function objectiveRatio(objective: number): number {
  return +(objective / 100).toPrecision(12);
}

/** 1 − objective, free of binary noise (99.95 → 0.0005). */
export function budgetRatio(objective: number): number {
  return +((100 - objective) / 100).toPrecision(12);
}
