/**
 * A reader of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0, strict where
 * Prometheus is: one bad line fails the whole body (a half-read exposition would make conditions
 * pass silently), and what Prometheus scrapes is never refused.
 *
 * The syntax follows Prometheus' scrape parsers (model/textparse: promlex.l/promparse.go for the
 * text format, openmetricslex.l/openmetricsparse.go for OpenMetrics); the family rules that the
 * scrape parsers leave out follow common/expfmt's text parser (what `promtool check metrics`
 * reads): one HELP and one TYPE per family, TYPE before the family's first sample, `__name__`
 * never a label, numeric `le` and `quantile`, no negative histogram counts.
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

export type ExpositionFormat = 'text' | 'openmetrics';

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionError';
  }
}

/** The format a Content-Type announces, as Prometheus picks its parser: OpenMetrics only when it says so. */
export function formatOfContentType(contentType: string | undefined): ExpositionFormat {
  return /^\s*application\/openmetrics-text\s*(;|$)/i.test(contentType ?? '') ? 'openmetrics' : 'text';
}

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL = /^(?:[+-]?inf(?:inity)?|nan)$/i;

/**
 * A sample value as Prometheus reads it: Go's strconv.ParseFloat without hexadecimal floats or
 * underscores — decimal with optional exponent, Inf/Infinity with a sign, NaN, any letter case.
 * `0x1` and out-of-range values (1e400) are refused, as Prometheus refuses them.
 */
export function parseValue(s: string): number | undefined {
  if (SPECIAL.test(s)) return /nan/i.test(s) ? NaN : s.startsWith('-') ? -Infinity : Infinity;
  if (!DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** A float as OpenMetrics writes it (Prometheus' FormatOpenMetricsFloat): `1.0`, `0.25`, `1e-05`, `+Inf`. */
export function formatOpenMetricsFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const [mantissa, e] = f.toExponential().split('e');
  const exp = Number(e);
  // Go's %g with the shortest precision: exponent form below 1e-4 and from 1e6.
  const s = exp < -4 || exp >= 6 ? `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}` : String(f);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const QUOTED = /^"(?:\\.|[^\\"])*"/;
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);

/** Sample name suffixes each type owns: `foo_bucket` is a sample of histogram `foo`. */
const SUFFIXES: Record<ExpositionFormat, Record<string, string[]>> = {
  text: { summary: ['_sum', '_count'], histogram: ['_bucket', '_sum', '_count'] },
  openmetrics: {
    counter: ['_total', '_created'],
    summary: ['_sum', '_count', '_created'],
    histogram: ['_bucket', '_sum', '_count', '_created'],
    gaugehistogram: ['_bucket', '_gsum', '_gcount'],
    info: ['_info'],
  },
};

interface Family {
  type?: string;
  help: boolean;
}

// Unescapes a quoted label value (or quoted name): \" \\ \n; any other escape stays as written, as in Prometheus.
const unescape = (quoted: string) => quoted.slice(1, -1).replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

class LineReader {
  i = 0;
  constructor(
    readonly s: string,
    readonly lineNo: number,
    readonly om: boolean,
  ) {}
  fail(reason: string): never {
    throw new ExpositionError(this.lineNo, reason);
  }
  get rest() {
    return this.s.slice(this.i);
  }
  peek() {
    return this.s[this.i];
  }
  /** Text format: spaces and tabs between tokens are free. OpenMetrics has none. */
  ws() {
    if (!this.om) while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }
  take(re: RegExp): string | undefined {
    const m = re.exec(this.rest);
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }
  near(): string {
    const r = this.rest;
    return r ? JSON.stringify(r.length > 24 ? `${r.slice(0, 24)}…` : r) : 'the end of the line';
  }
}

/**
 * Parses an exposition. A Uint8Array body is checked as UTF-8 line by line (invalid UTF-8 is
 * refused where Prometheus reads text: names, label values, HELP); a string is taken as decoded.
 */
export function parseExposition(body: string | Uint8Array, format: ExpositionFormat = 'text'): Exposition {
  const om = format === 'openmetrics';
  const lines = body.length === 0 ? [] : typeof body === 'string' ? body.split('\n') : splitUtf8Lines(body, om);
  // A final newline ends the last line rather than starting an empty one.
  const endsWithNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let eof = false;
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n];
    if (eof) throw new ExpositionError(lineNo, 'unexpected data after # EOF');
    if (line === null) throw new ExpositionError(lineNo, 'invalid UTF-8');
    const r = new LineReader(line, lineNo, om);
    if (om) {
      if (line === '') r.fail('empty line (OpenMetrics has no blank lines)');
      if (line === '# EOF') {
        eof = true;
        continue;
      }
      if (line.startsWith('#')) {
        metadataOpenMetrics(r, families, types, seen);
        continue;
      }
    } else {
      r.ws();
      if (r.i === line.length) continue; // blank line
      if (r.peek() === '#') {
        metadataText(r, families, types, seen);
        continue;
      }
    }
    const sample = readSample(r);
    checkFamily(r, sample, families, format);
    seen.add(sample.name);
    samples.push(sample);
  }
  if (om && !eof) throw new ExpositionError(lines.length + 1, 'the body does not end with # EOF (OpenMetrics)');
  return { samples, types };
}

/** Lines of a body, each decoded as UTF-8; null for a line that is not UTF-8, unless Prometheus ignores it (a comment). */
function splitUtf8Lines(body: Uint8Array, om: boolean): (string | null)[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const out: (string | null)[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i < body.length && body[i] !== 0x0a) continue;
    const bytes = body.subarray(start, i);
    try {
      out.push(decoder.decode(bytes));
    } catch {
      const loose = new TextDecoder('utf-8').decode(bytes);
      // Prometheus' text lexer skips a comment (not HELP or TYPE) without reading it.
      out.push(!om && /^[ \t]*#(?![ \t]+(?:HELP|TYPE)[ \t])/.test(loose) ? loose : null);
    }
    start = i + 1;
  }
  return out;
}

function metadataText(r: LineReader, families: Map<string, Family>, types: Record<string, string>, seen: Set<string>): void {
  r.i++; // '#'
  // "#HELP" or "# anything else" is a comment; "# HELP name text" and "# TYPE name type" are not.
  const keyword = /^[ \t]+(HELP|TYPE)[ \t]+/.exec(r.rest);
  if (!keyword) return;
  r.i += keyword[0].length;
  const kind = keyword[1];
  const name = readMetadataName(r, kind);
  if (r.i < r.s.length && r.peek() !== ' ' && r.peek() !== '\t') r.fail(`${kind}: expected a space after the metric name ${name}, got ${r.near()}`);
  // As promparse: one separator character is dropped; the rest of the line is the text.
  const text = r.s.slice(r.i + 1);
  if (kind === 'TYPE' && !TEXT_TYPES.has(text)) r.fail(`invalid metric type ${JSON.stringify(text)} for ${name} (counter, gauge, histogram, summary or untyped)`);
  recordMetadata(r, kind, name, text, families, types, seen, 'text');
}

function metadataOpenMetrics(r: LineReader, families: Map<string, Family>, types: Record<string, string>, seen: Set<string>): void {
  const keyword = /^# (HELP|TYPE|UNIT) /.exec(r.s);
  if (!keyword) r.fail(`expected "# HELP", "# TYPE", "# UNIT" or "# EOF", got ${r.near()} (OpenMetrics has no other comments)`);
  r.i = keyword[0].length;
  const kind = keyword[1];
  const name = readMetadataName(r, kind);
  if (r.peek() !== ' ') r.fail(`expected text in ${kind} after ${name}`);
  const text = r.s.slice(r.i + 1);
  if (kind === 'TYPE' && !OM_TYPES.has(text)) r.fail(`invalid metric type ${JSON.stringify(text)} for ${name}`);
  if (kind === 'UNIT') {
    if (text && !(name.endsWith(`_${text}`) && name.length > text.length + 1)) r.fail(`unit ${JSON.stringify(text)} is not a suffix of metric ${name}`);
    return;
  }
  recordMetadata(r, kind, name, text, families, types, seen, 'openmetrics');
}

function readMetadataName(r: LineReader, kind: string): string {
  const quoted = r.take(QUOTED);
  if (quoted) return unescape(quoted);
  const name = r.take(METRIC_NAME);
  if (!name) r.fail(`expected a metric name after ${kind}, got ${r.near()}`);
  return name;
}

function recordMetadata(r: LineReader, kind: string, name: string, text: string, families: Map<string, Family>, types: Record<string, string>, seen: Set<string>, format: ExpositionFormat): void {
  const f = families.get(name) ?? { help: false };
  families.set(name, f);
  if (kind === 'HELP') {
    if (f.help) r.fail(`second HELP line for metric ${name}`);
    f.help = true;
    return;
  }
  if (f.type) r.fail(`second TYPE line for metric ${name}`);
  const owned = [name, ...(SUFFIXES[format][text] ?? []).map((s) => name + s)];
  const early = owned.find((s) => seen.has(s));
  if (early) r.fail(`TYPE line for ${name} after its sample ${early} (TYPE must come before the family's first sample)`);
  f.type = text;
  types[name] = text;
}

function readSample(r: LineReader): Sample {
  let name = r.take(METRIC_NAME);
  if (!name && r.peek() !== '{') r.fail(`expected a metric name, got ${r.near()}`);
  const labels: Record<string, string> = {};
  r.ws();
  if (r.peek() === '{') {
    r.i++;
    name = readLabels(r, labels, name);
  }
  if (!name) r.fail('the metric name is not set (give it before the braces or quoted inside them)');
  if (r.om) {
    if (r.peek() !== ' ') r.fail(`expected a space and the value after ${name}, got ${r.near()}`);
    r.i++;
  } else r.ws();
  const raw = r.take(r.om ? /^[^ ]+/ : /^[^{ \t]+/);
  if (!raw) r.fail(`expected a value after ${name}, got ${r.near()}`);
  const value = parseValue(raw);
  if (value === undefined) r.fail(`invalid value ${JSON.stringify(raw.slice(0, 30))} for ${name} (${raw.endsWith('\r') ? 'a carriage return: lines end with \\n alone' : 'a decimal float, Inf, -Inf or NaN'})`);
  const sample: Sample = { name, labels, value };
  if (r.om) readOpenMetricsTail(r, sample);
  else {
    r.ws();
    if (r.i < r.s.length) {
      const ts = r.take(/^[0-9]+(?=[ \t]*$)/);
      if (!ts) r.fail(`expected a timestamp in integer milliseconds or the end of the line after the value of ${name}, got ${r.near()}`);
      const ms = Number(ts);
      if (!Number.isSafeInteger(ms)) r.fail(`timestamp ${ts} is out of range`);
      sample.timestampMs = ms;
    }
  }
  return sample;
}

function readOpenMetricsTail(r: LineReader, sample: Sample): void {
  if (r.i === r.s.length) return;
  if (r.rest.startsWith(' # {')) return readExemplar(r);
  if (r.peek() !== ' ') r.fail(`expected a space before the timestamp, got ${r.near()}`);
  r.i++;
  const raw = r.take(/^[^ ]+/);
  if (!raw) r.fail(`expected a timestamp, got ${r.near()}`);
  const seconds = parseValue(raw);
  if (seconds === undefined || !Number.isFinite(seconds)) r.fail(`invalid timestamp ${JSON.stringify(raw.slice(0, 30))} (OpenMetrics: seconds, e.g. 1700000000.123)`);
  sample.timestampMs = Math.trunc(seconds * 1000);
  if (r.i === r.s.length) return;
  if (r.rest.startsWith(' # {')) return readExemplar(r);
  r.fail(`expected an exemplar or the end of the line after the timestamp, got ${r.near()}`);
}

/** ` # {labels} value [timestamp]`: checked, then dropped (an exemplar never changes its sample). */
function readExemplar(r: LineReader): void {
  r.i += 4;
  const labels: Record<string, string> = {};
  readLabels(r, labels, 'exemplar', true);
  if (r.peek() !== ' ') r.fail(`expected a space and the exemplar value, got ${r.near()}`);
  r.i++;
  const raw = r.take(/^[^ ]+/);
  if (!raw || parseValue(raw) === undefined) r.fail(`invalid exemplar value ${raw ? JSON.stringify(raw) : ''}`);
  if (r.i === r.s.length) return;
  if (r.peek() !== ' ') r.fail(`expected the exemplar timestamp, got ${r.near()}`);
  r.i++;
  const ts = r.take(/^[^ ]+/);
  const seconds = ts === undefined ? undefined : parseValue(ts);
  if (seconds === undefined || !Number.isFinite(seconds)) r.fail(`invalid exemplar timestamp ${ts ? JSON.stringify(ts) : ''}`);
  if (r.i !== r.s.length) r.fail(`expected the end of the line after the exemplar, got ${r.near()}`);
}

/** Reads labels after '{' through '}'; returns the metric name (it may be a quoted string inside the braces). */
function readLabels(r: LineReader, labels: Record<string, string>, name: string | undefined, exemplar = false): string | undefined {
  for (;;) {
    r.ws();
    if (r.peek() === '}') {
      r.i++;
      return name;
    }
    const quoted = r.take(QUOTED);
    const label = quoted ? unescape(quoted) : r.take(LABEL_NAME);
    if (label === undefined) r.fail(`expected a label name, got ${r.near()}`);
    r.ws();
    if (quoted && !exemplar && (r.peek() === ',' || r.peek() === '}')) {
      // {"my.metric", label="v"}: a quoted string alone is the metric name.
      if (name !== undefined) r.fail(`the metric name is already set (${name}), got ${JSON.stringify(label)} too`);
      name = label;
    } else {
      if (r.peek() !== '=') r.fail(`expected "=" after label ${label}, got ${r.near()}`);
      r.i++;
      r.ws();
      const value = r.take(r.om ? /^"(?:\\.|[^\\"\n])*"/ : QUOTED);
      if (value === undefined) r.fail(r.peek() === '"' ? `the value of label ${label} has no closing quote` : `expected a quoted value for label ${label}, got ${r.near()}`);
      if (label === '__name__') r.fail('label name "__name__" is reserved (the metric name goes before the braces)');
      if (label in labels) r.fail(`duplicate label ${label}`);
      labels[label] = unescape(value);
    }
    r.ws();
    if (r.peek() === ',') r.i++;
    else if (r.om && r.peek() !== '}') r.fail(`expected "," or "}" after label ${label}, got ${r.near()}`);
    // The text format also reads `{a="1" b="2"}` (promparse does, whether by intent or not).
  }
}

/** Family rules for one sample: le/quantile must be numbers, histogram counts never negative. */
function checkFamily(r: LineReader, s: Sample, families: Map<string, Family>, format: ExpositionFormat): void {
  let family: string | undefined;
  let type: string | undefined;
  if (families.get(s.name)?.type) {
    family = s.name;
    type = families.get(s.name)!.type;
  } else
    for (const [t, suffixes] of Object.entries(SUFFIXES[format]))
      for (const suffix of suffixes) {
        const base = s.name.slice(0, -suffix.length);
        if (s.name.endsWith(suffix) && families.get(base)?.type === t) {
          family = base;
          type = t;
        }
      }
  if (!family) return;
  const histogram = type === 'histogram' || type === 'gaugehistogram';
  const label = histogram ? 'le' : type === 'summary' ? 'quantile' : undefined;
  if (label && s.labels[label] !== undefined) {
    const v = parseValue(s.labels[label]);
    if (v === undefined) r.fail(`expected a float as the value of label '${label}' of ${type} ${family}, got ${JSON.stringify(s.labels[label])}`);
    // Prometheus stores le and quantile in OpenMetrics float form ("1" → "1.0"); conditions see the same.
    s.labels[label] = formatOpenMetricsFloat(v);
  }
  if (histogram && s.value < 0 && (s.name === `${family}_bucket` || s.name === `${family}_count` || s.name === `${family}_gcount`)) r.fail(`negative count ${s.value} for histogram ${family}`);
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
