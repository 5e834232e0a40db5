import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * The Grafana files under grafana/, read the way Grafana reads them: dashboards, their queries
 * (panels, annotations, variables), and the variable and macro expansion Grafana does before a
 * query reaches Prometheus or PostgreSQL.
 */
export const GRAFANA_DIR = resolve(__dirname, '../../../grafana');
export const DASHBOARDS_DIR = join(GRAFANA_DIR, 'dashboards');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface DashboardFile {
  file: string;
  text: string;
  json: Json;
}

export function loadDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(DASHBOARDS_DIR, file), 'utf8');
      return { file, text, json: JSON.parse(text) };
    });
}

export function loadYaml(relPath: string): Json {
  return parseYaml(readFileSync(join(GRAFANA_DIR, relPath), 'utf8'));
}

/** Panels at any depth (rows may nest panels). */
export function allPanels(dashboard: Json): Json[] {
  const out: Json[] = [];
  const walk = (panels: Json[] | undefined) => {
    for (const p of panels ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

export interface GrafanaQuery {
  dashboard: string;
  /** "panel 3 \"Burn rate\" A" or "annotation \"Failovers\"". */
  where: string;
  datasource: { type?: string; uid?: string };
  kind: 'promql' | 'sql';
  text: string;
  /** Prometheus: a range query (time series panel) or an instant one. */
  range?: boolean;
  /** SQL: table, time_series; annotations are table-shaped with time/text columns. */
  format?: string;
  annotation?: boolean;
}

/** Every query the dashboards send: panel targets and annotation queries (variables apart). */
export function dashboardQueries(d: DashboardFile): GrafanaQuery[] {
  const out: GrafanaQuery[] = [];
  const add = (where: string, ds: Json, q: Json, annotation = false) => {
    const datasource = q.datasource ?? ds ?? {};
    if (typeof q.expr === 'string') out.push({ dashboard: d.file, where, datasource, kind: 'promql', text: q.expr, range: q.range !== false && q.instant !== true });
    else if (typeof q.rawSql === 'string') out.push({ dashboard: d.file, where, datasource, kind: 'sql', text: q.rawSql, format: q.format, annotation });
  };
  for (const p of allPanels(d.json)) for (const t of p.targets ?? []) add(`panel ${p.id} ${JSON.stringify(p.title)} ${t.refId}`, p.datasource, t);
  for (const a of d.json.annotations?.list ?? []) if (a.target && !a.builtIn) add(`annotation ${JSON.stringify(a.name)}`, a.datasource, a.target, true);
  return out;
}

/** Values a variable takes, as Grafana formats them for each data source. */
export type VariableValues = Record<string, string[]>;

// Grafana escapes regex characters with two backslashes: one for the PromQL string, one for the regex.
const regexEscape = (s: string) => s.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&');

/**
 * Grafana's Prometheus interpolation: a single value regex-escaped, several as (a|b), and
 * $__range, $__rate_interval, $__interval as durations.
 */
/** `raw`: values are regexes already (Grafana's "All" as `.*`), not label values to escape. */
export function interpolatePromQL(expr: string, vars: VariableValues, builtins: { range: string; rateInterval: string; interval: string }, opts: { raw?: boolean } = {}): string {
  return expr.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (whole, braced: string | undefined, _fmt: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (name === '__range') return builtins.range;
    if (name === '__rate_interval') return builtins.rateInterval;
    if (name === '__interval') return builtins.interval;
    const values = vars[name];
    if (!values) throw new Error(`unknown variable $${name} in ${expr}`);
    const esc = opts.raw ? (v: string) => v : regexEscape;
    return values.length === 1 ? esc(values[0]) : `(${values.map(esc).join('|')})`;
  });
}

const sqlQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function intervalSeconds(s: string): number {
  const m = /^'?(\d+)(ms|s|m|h|d)'?$/.exec(s.trim());
  if (!m) throw new Error(`cannot read interval ${s}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}

/**
 * Grafana's PostgreSQL data source: template variables first (several values as 'a','b'), then
 * the macros as pkg/tsdb/grafana-postgresql-datasource/macros.go expands them.
 */
export function expandSql(sql: string, vars: VariableValues, range: { from: Date; to: Date; intervalSeconds?: number }): string {
  let out = sql.replace(/\$\{(\w+)(?::(\w+))?\}|\$(?!__)(\w+)/g, (_w, braced: string | undefined, _fmt: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const values = vars[name];
    if (!values) throw new Error(`unknown variable $${name} in ${sql}`);
    return values.map(sqlQuote).join(',');
  });
  const from = rfc3339(range.from);
  const to = rfc3339(range.to);
  const macro = /\$__(\w+)\(([^()]*(?:\([^()]*\)[^()]*)*)\)/;
  for (let m = macro.exec(out); m; m = macro.exec(out)) {
    const [whole, name, argText] = m;
    const args = splitArgs(argText);
    let rep: string;
    switch (name) {
      case 'time':
        rep = `${args[0]} AS "time"`;
        break;
      case 'timeEpoch':
        rep = `extract(epoch from ${args[0]}) AS "time"`;
        break;
      case 'timeFilter':
        rep = `${args[0]} BETWEEN '${from}' AND '${to}'`;
        break;
      case 'timeFrom':
        rep = `'${from}'`;
        break;
      case 'timeTo':
        rep = `'${to}'`;
        break;
      case 'timeGroup':
      case 'timeGroupAlias': {
        const secs = args[1] === '$__interval' ? (range.intervalSeconds ?? 60) : intervalSeconds(args[1]);
        rep = `floor(extract(epoch from ${args[0]})/${secs})*${secs}`;
        if (name === 'timeGroupAlias') rep += ' AS "time"';
        break;
      }
      case 'unixEpochFilter':
        rep = `${args[0]} >= ${Math.floor(range.from.getTime() / 1000)} AND ${args[0]} <= ${Math.floor(range.to.getTime() / 1000)}`;
        break;
      default:
        throw new Error(`macro $__${name} is not expanded by this harness: ${whole}`);
    }
    out = out.replace(whole, rep);
  }
  if (/\$__\w+/.test(out)) throw new Error(`unexpanded macro left in ${out}`);
  return out;
}
