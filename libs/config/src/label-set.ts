import { z } from 'zod';

/** `limits.labels` of the config: how large a label set users may send. */
export interface LabelLimits {
  count: number;
  name_length: number;
  value_length: number;
}

/** Prometheus' label name syntax. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface LabelIssue {
  /** Below the label set's own path: [] for the set, [name] for one label's value. */
  path: string[];
  message: string;
}

// A flood of bad labels gets a few reasons, not a reply as large as the request.
const MAX_ISSUES = 5;

// Half of a UTF-16 surrogate pair alone: not a character, and PostgreSQL's jsonb refuses it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const show = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/**
 * Reads a label set as users send it (Alertmanager labels and annotations, SLO labels): a plain
 * object whose values are strings (numbers are taken as their text), within the limits. Returns
 * the labels as strings, or the problems; never walks into nested values.
 */
export function readLabelSet(value: unknown, limits: LabelLimits): { labels: Record<string, string>; issues: [] } | { labels?: undefined; issues: LabelIssue[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { issues: [{ path: [], message: `must be an object of label names to string values, got ${kindOf(value)}` }] };
  const entries = Object.entries(value);
  if (entries.length > limits.count) return { issues: [{ path: [], message: `has ${entries.length} labels; at most ${limits.count} are allowed (limits.labels.count)` }] };
  const issues: LabelIssue[] = [];
  const labels: Record<string, string> = {};
  for (const [name, v] of entries) {
    if (issues.length >= MAX_ISSUES) break;
    if (name.length > limits.name_length) {
      issues.push({ path: [], message: `label name ${show(name)} is ${name.length} characters long; at most ${limits.name_length} are allowed (limits.labels.name_length)` });
      continue;
    }
    if (!LABEL_NAME.test(name)) {
      issues.push({ path: [], message: `label name ${show(name)} must match [a-zA-Z_][a-zA-Z0-9_]*` });
      continue;
    }
    const text = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
    if (text === undefined) issues.push({ path: [name], message: `must be a string, got ${kindOf(v)}` });
    else if (LONE_SURROGATE.test(text)) issues.push({ path: [name], message: 'must be valid Unicode (it holds half of a surrogate pair)' });
    else if (text.length > limits.value_length) issues.push({ path: [name], message: `is ${text.length} characters long; at most ${limits.value_length} are allowed (limits.labels.value_length)` });
    // Defined, not assigned: a label named __proto__ is a label like any other.
    else Object.defineProperty(labels, name, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return issues.length ? { issues } : { labels, issues: [] };
}

/** The same as a zod schema, for request schemas built from the running limits. */
export function labelSet(limits: LabelLimits) {
  return z.unknown().transform((v, ctx) => {
    const r = readLabelSet(v, limits);
    if (r.labels) return r.labels;
    for (const i of r.issues) ctx.addIssue({ code: z.ZodIssueCode.custom, path: i.path, message: i.message });
    return z.NEVER;
  });
}
