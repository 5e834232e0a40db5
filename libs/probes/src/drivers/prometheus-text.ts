/**
 * A strict reader of the Prometheus text exposition format (and the OpenMetrics text format that
 * extends it). Strict like Prometheus' own scraper: one bad line fails the whole body, because a
 * half-read exposition would make conditions silently pass.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family name → type from # TYPE lines. */
  types: Record<string, string>;
}

export class ExpositionError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses a sample value: floats, NaN, ±Inf (case-insensitive, as Go's ParseFloat accepts). */
export function parseValue(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && !/^[+-]?0x[0-9a-f]+$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

/** Reads `{a="x",b="y\"z"}` starting at s[i] === '{'; returns the labels and the index after '}'. */
export function parseLabels(s: string, i: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  i++; // '{'
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] === '}') return { labels, end: i + 1 };
    const m = LABEL_NAME.exec(s.slice(i));
    if (!m) throw new ExpositionError(lineNo, `bad label name at column ${i + 1}`);
    const name = m[0];
    i += name.length;
    while (s[i] === ' ') i++;
    if (s[i] !== '=') throw new ExpositionError(lineNo, `expected = after label ${name}`);
    i++;
    while (s[i] === ' ') i++;
    if (s[i] !== '"') throw new ExpositionError(lineNo, `label ${name} value must be quoted`);
    i++;
    let value = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new ExpositionError(lineNo, `unterminated value of label ${name}`);
      if (c === '\\') {
        const n = s[i + 1];
        value += n === 'n' ? '\n' : n === '"' ? '"' : n === '\\' ? '\\' : `\\${n ?? ''}`;
        i += 2;
        continue;
      }
      if (c === '"') break;
      value += c;
      i++;
    }
    i++;
    if (name in labels) throw new ExpositionError(lineNo, `duplicate label ${name}`);
    labels[name] = value;
    while (s[i] === ' ') i++;
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === '}') return { labels, end: i + 1 };
    throw new ExpositionError(lineNo, `expected , or } after label ${name}`);
  }
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n].replace(/\r$/, '');
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      if (/^#\s*EOF\s*$/.test(line)) break; // OpenMetrics terminator: anything after is not ours
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types[m[1]] = m[2];
      continue; // HELP, UNIT and free comments
    }
    const s = line.trimStart();
    const nm = NAME.exec(s);
    if (!nm) throw new ExpositionError(lineNo, `not a metric line: ${JSON.stringify(line.slice(0, 60))}`);
    let i = nm[0].length;
    let labels: Record<string, string> = {};
    if (s[i] === '{') ({ labels, end: i } = parseLabels(s, i, lineNo));
    if (s[i] !== ' ' && s[i] !== '\t') throw new ExpositionError(lineNo, `expected a space before the value of ${nm[0]}`);
    // OpenMetrics exemplars follow " # {...}"; they never change the sample itself.
    const rest = s.slice(i).replace(/\s#\s*\{.*$/, '').trim().split(/\s+/);
    if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new ExpositionError(lineNo, `expected "value [timestamp]" after ${nm[0]}`);
    const value = parseValue(rest[0]);
    if (value === undefined) throw new ExpositionError(lineNo, `bad value ${JSON.stringify(rest[0].slice(0, 30))} for ${nm[0]}`);
    const sample: Sample = { name: nm[0], labels, value };
    if (rest[1] !== undefined) {
      const ts = Number(rest[1]);
      if (!Number.isFinite(ts)) throw new ExpositionError(lineNo, `bad timestamp ${JSON.stringify(rest[1].slice(0, 30))}`);
      // OpenMetrics timestamps are seconds with a fraction; Prometheus text ones are integer ms.
      sample.timestampMs = rest[1].includes('.') ? ts * 1000 : ts;
    }
    samples.push(sample);
  }
  return { samples, types };
}

/** `name{a="b"}` for reasons and details. */
export function formatSeries(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

/** A number the way Prometheus prints it (NaN, +Inf, -Inf). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
