import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { compileUserRegex, type UserRegex, type UserRegexError } from '../../../common/src/user-regex';
import { httpUrl } from './fields';
import { fetchText } from './http-request';
import { ExpositionError, formatOfContentType, formatSeries, formatValue, parseExposition, parseValue, type ExpositionFormat, type Sample } from './prometheus-text';

/**
 * A condition describes a PROBLEM: `kafka_topic_partition_under_replicated_partition > 0` reads
 * "down when any partition is under-replicated". Grammar:
 *   metric_name[{label="v", label!="v", label=~"re", label!~"re"}] OP number
 * with OP one of > >= < <= == != and number any Prometheus value (1, 0.5, 1e3, NaN, +Inf).
 */
export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface Matcher {
  label: string;
  type: '=' | '!=' | '=~' | '!~';
  value: string;
  re?: UserRegex;
}

export interface Condition {
  text: string;
  metric: string;
  matchers: Matcher[];
  op: Op;
  threshold: number;
}

/** Parses one condition; returns an error message for the config checker instead of throwing. */
export function parseCondition(text: string): Condition | { error: string } {
  const s = text.trim();
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
  if (!name) return { error: 'must start with a metric name' };
  let i = name[0].length;
  const matchers: Matcher[] = [];
  if (s[i] === '{') {
    i++;
    for (;;) {
      while (s[i] === ' ') i++;
      if (s[i] === '}') {
        i++;
        break;
      }
      const m = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*/.exec(s.slice(i));
      if (!m) return { error: `bad label matcher at ${JSON.stringify(s.slice(i, i + 20))} (use label="value")` };
      const value = m[3].replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
      const matcher: Matcher = { label: m[1], type: m[2] as Matcher['type'], value };
      if (matcher.type === '=~' || matcher.type === '!~') {
        try {
          matcher.re = compileUserRegex(value, { anchored: true }); // PromQL regexes are anchored
        } catch (err) {
          return { error: `label ${m[1]}: ${JSON.stringify(value)} is not a valid regular expression: ${(err as UserRegexError).reason}` };
        }
      }
      matchers.push(matcher);
      i += m[0].length;
      if (s[i] === ',') i++;
      else if (s[i] !== '}') return { error: `expected , or } after label ${m[1]}` };
    }
  }
  const rest = /^\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$/.exec(s.slice(i));
  if (!rest) return { error: 'must be "metric OP number" with OP one of > >= < <= == !=' };
  const threshold = parseValue(rest[2]);
  if (threshold === undefined) return { error: `${JSON.stringify(rest[2])} is not a number` };
  return { text: s, metric: name[0], matchers, op: rest[1] as Op, threshold };
}

const conditionField = z.string().superRefine((s, ctx) => {
  const c = parseCondition(s);
  if ('error' in c) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `invalid condition: ${c.error}` });
});

export const exporterSchema = z
  .object({
    url: httpUrl,
    /** Each condition that holds for some series is a problem: the probe goes down. */
    conditions: z.array(conditionField).default([]),
    tls_verify: z.boolean().default(true),
  })
  .strict();
export type ExporterSpec = z.infer<typeof exporterSchema>;

export function matches(sample: Sample, c: Condition): boolean {
  if (sample.name !== c.metric) return false;
  return c.matchers.every((m) => {
    const v = sample.labels[m.label] ?? '';
    switch (m.type) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return m.re!.test(v);
      case '!~':
        return !m.re!.test(v);
    }
  });
}

export function compare(v: number, op: Op, t: number): boolean {
  switch (op) {
    case '>':
      return v > t;
    case '>=':
      return v >= t;
    case '<':
      return v < t;
    case '<=':
      return v <= t;
    case '==':
      return v === t || (Number.isNaN(v) && Number.isNaN(t));
    case '!=':
      return !(v === t || (Number.isNaN(v) && Number.isNaN(t)));
  }
}

export interface Violation {
  condition: string;
  series: string;
  value: string;
}

/**
 * Evaluates every condition over the exposition. Up when no condition holds for any series; a
 * condition whose metric has no series at all is a warning (a renamed metric would otherwise
 * make the check pass silently).
 */
export function evaluateConditions(body: string | Uint8Array, conditions: string[], format: ExpositionFormat = 'text'): Observation {
  let samples: Sample[];
  try {
    samples = parseExposition(body, format).samples;
  } catch (err) {
    if (err instanceof ExpositionError) return { up: false, reason: `not Prometheus metrics: ${err.message}` };
    throw err;
  }
  if (!samples.length) return { up: false, reason: 'no metrics in the response' };
  const violations: Violation[] = [];
  const missing: string[] = [];
  for (const raw of conditions) {
    const c = parseCondition(raw);
    if ('error' in c) return { up: false, reason: `invalid condition ${JSON.stringify(raw)}: ${c.error}` };
    const hits = samples.filter((s) => matches(s, c));
    if (!hits.length) missing.push(c.metric);
    for (const s of hits) if (compare(s.value, c.op, c.threshold)) violations.push({ condition: c.text, series: formatSeries(s.name, s.labels), value: formatValue(s.value) });
  }
  const details: Record<string, unknown> = { series: samples.length, conditions: conditions.length };
  if (violations.length) details.violations = violations.slice(0, 50);
  const obs: Observation = { up: violations.length === 0, details };
  if (violations.length) {
    const v = violations[0];
    obs.reason = `${v.series} = ${v.value} (${v.condition})${violations.length > 1 ? `, and ${violations.length - 1} more` : ''}`;
  }
  if (missing.length) obs.warning = `no series for ${[...new Set(missing)].join(', ')}`;
  return obs;
}

/** Large exporters (kube-state-metrics, big Kafka clusters) print several MiB; more is a misconfiguration. */
export const MAX_EXPOSITION = 32 << 20;

export async function probeExporter(spec: ExporterSpec, ctx: ProbeContext): Promise<Observation> {
  const r = await fetchText(spec.url, ctx, 'metrics', {
    tlsVerify: spec.tls_verify,
    // Text formats only: the protobuf format would be unreadable here.
    headers: { accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1' },
    maxBody: MAX_EXPOSITION,
  });
  if (!r.ok) return { up: false, reason: r.reason, httpStatus: r.status };
  // A cut body could end in a line that still parses ("12" of "12345"): never read one.
  if (r.res.truncated) return { up: false, reason: `metrics page is larger than ${MAX_EXPOSITION / (1 << 20)} MiB`, httpStatus: r.res.status };
  // The raw bytes, so invalid UTF-8 is refused as Prometheus refuses it; the parser as the Content-Type says.
  const format = formatOfContentType(r.res.headers['content-type']);
  return { ...evaluateConditions(r.res.body, spec.conditions, format), httpStatus: r.res.status };
}

export const exporterDriver: ProbeDriver<ExporterSpec> = {
  kind: 'exporter',
  schema: exporterSchema,
  secrets: (spec) => secretsOfUrl(spec.url),
  probe: probeExporter,
};
