import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { httpUrl } from './fields';
import { fetchText } from './http-request';
import { ExpositionError, parseExposition } from './prometheus-text';

export const haproxySchema = z
  .object({
    /** The stats page as CSV (http://host:port/stats;csv) or the built-in Prometheus exporter (/metrics). */
    url: httpUrl,
    /** Only these backends count (one name or a list); default: every backend that has servers. */
    backend: z.union([z.string().min(1), z.array(z.string().min(1)).nonempty()]).optional(),
    tls_verify: z.boolean().default(true),
  })
  .strict();
export type HaproxySpec = z.infer<typeof haproxySchema>;

export interface HaproxyServer {
  backend: string;
  name: string;
  /** As HAProxy prints it: UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/3", "DOWN 1/2", "no check". */
  status: string;
  /** undefined when the source does not say (the Prometheus endpoint has no per-server flag). */
  backup?: boolean;
  checkFailures?: number;
  /** Last health check: L4OK, L4CON, L7OK, L7STS, … */
  checkStatus?: string;
  checkCode?: string;
  checkDesc?: string;
  weight?: number;
}

export interface HaproxyStats {
  format: 'csv' | 'prometheus';
  servers: HaproxyServer[];
  /** Every backend the page lists, servers or not, in page order. */
  backends: string[];
  /** From the Prometheus endpoint only: UP servers HAProxy itself counts per backend. */
  counts?: Record<string, { active_up?: number; backup_up?: number }>;
}

/** Splits one CSV line; HAProxy quotes a field only when it holds a comma or a quote. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : undefined);

/** Parses `show stat` / `stats;csv` output. Returns undefined when the text is not that format. */
export function parseStatsCsv(text: string): HaproxyStats | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim());
  if (!lines.length || !/^#\s*pxname,svname,/.test(lines[0])) return undefined;
  const cols = splitCsv(lines[0].replace(/^#\s*/, ''));
  const at = (row: string[], name: string) => {
    const i = cols.indexOf(name);
    return i < 0 ? undefined : row[i];
  };
  const servers: HaproxyServer[] = [];
  const backends: string[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#')) continue;
    const row = splitCsv(line);
    const px = row[0];
    const sv = row[1];
    const type = at(row, 'type');
    const isBackend = type !== undefined && type !== '' ? type === '1' : sv === 'BACKEND';
    const isServer = type !== undefined && type !== '' ? type === '2' : sv !== 'BACKEND' && sv !== 'FRONTEND';
    if (isBackend) {
      if (!backends.includes(px)) backends.push(px);
      continue;
    }
    if (!isServer) continue;
    const checkStatus = at(row, 'check_status')?.replace(/^\*\s*/, '') || undefined; // "* L7OK": a check is running
    servers.push({
      backend: px,
      name: sv,
      status: at(row, 'status') ?? 'unknown',
      backup: at(row, 'bck') === '1' ? true : at(row, 'act') === '1' ? false : undefined,
      checkFailures: num(at(row, 'chkfail')),
      checkStatus,
      checkCode: at(row, 'check_code') || undefined,
      checkDesc: at(row, 'check_desc') || undefined,
      weight: num(at(row, 'weight')),
    });
  }
  for (const s of servers) if (!backends.includes(s.backend)) backends.push(s.backend);
  return { format: 'csv', servers, backends };
}

// HAProxy 2.0–2.3 exported the state as a number; 2.4+ as one series per state label.
const NUMERIC_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'];

/** Reads HAProxy's built-in Prometheus exporter. Throws ExpositionError on a malformed body. */
export function parseHaproxyMetrics(text: string): HaproxyStats | undefined {
  const { samples } = parseExposition(text);
  if (!samples.some((s) => s.name.startsWith('haproxy_'))) return undefined;
  const servers = new Map<string, HaproxyServer>();
  const backends: string[] = [];
  const counts: Record<string, { active_up?: number; backup_up?: number }> = {};
  const server = (px: string, sv: string) => {
    const k = `${px}/${sv}`;
    let s = servers.get(k);
    if (!s) servers.set(k, (s = { backend: px, name: sv, status: 'unknown' }));
    return s;
  };
  for (const s of samples) {
    const px = s.labels.proxy;
    if (px === undefined) continue;
    if (s.name.startsWith('haproxy_backend_') && !backends.includes(px)) backends.push(px);
    if (s.name === 'haproxy_backend_active_servers') (counts[px] ??= {}).active_up = s.value;
    if (s.name === 'haproxy_backend_backup_servers') (counts[px] ??= {}).backup_up = s.value;
    const sv = s.labels.server;
    if (sv === undefined || !s.name.startsWith('haproxy_server_')) continue;
    const srv = server(px, sv);
    switch (s.name) {
      case 'haproxy_server_status':
        if (s.labels.state !== undefined) {
          if (s.value === 1) srv.status = s.labels.state;
        } else srv.status = NUMERIC_STATES[s.value] ?? 'unknown';
        break;
      case 'haproxy_server_check_status':
        if (s.labels.state !== undefined && s.value === 1) srv.checkStatus = s.labels.state;
        break;
      case 'haproxy_server_check_failures_total':
        srv.checkFailures = s.value;
        break;
      case 'haproxy_server_weight':
        srv.weight = s.value;
        break;
      case 'haproxy_server_check_code':
        if (s.value > 0) srv.checkCode = String(s.value);
        break;
    }
  }
  for (const s of servers.values()) if (!backends.includes(s.backend)) backends.push(s.backend);
  return { format: 'prometheus', servers: [...servers.values()], backends, counts };
}

/** A server takes traffic: UP, "UP 1/3" (still up, failing checks) or no health check at all. */
export function isServing(status: string): boolean {
  return /^UP\b/.test(status) || status === 'no check';
}

function describe(s: HaproxyServer): string {
  const check = s.checkStatus && !/OK/.test(s.checkStatus) ? ` (${s.checkStatus})` : '';
  return `${s.backend}/${s.name} ${s.status}${check}`;
}

/** Pool health: up when every watched backend has at least one serving server. */
export function interpretHaproxy(stats: HaproxyStats, filter?: string[]): Observation {
  const wanted = filter ?? stats.backends.filter((b) => stats.servers.some((s) => s.backend === b));
  const missing = filter?.filter((b) => !stats.backends.includes(b)) ?? [];
  if (missing.length) return { up: false, reason: `backend ${missing.join(', ')} not found on the stats page` };
  const servers = stats.servers.filter((s) => wanted.includes(s.backend));
  const peers: PeerSeen[] = servers.map((s) => ({
    id: `${s.backend}/${s.name}`,
    state: s.status,
    ...(s.backup ? { role: 'backup' as const } : {}),
    details: {
      ...(s.checkStatus !== undefined ? { check_status: s.checkStatus } : {}),
      ...(s.checkCode !== undefined ? { check_code: s.checkCode } : {}),
      ...(s.checkDesc !== undefined ? { check_desc: s.checkDesc } : {}),
      ...(s.checkFailures !== undefined ? { check_failures: s.checkFailures } : {}),
      ...(s.weight !== undefined ? { weight: s.weight } : {}),
    },
  }));
  const backends = wanted.map((name) => {
    const mine = servers.filter((s) => s.backend === name);
    const active = mine.filter((s) => s.backup !== true);
    const backup = mine.filter((s) => s.backup === true);
    const counted = stats.counts?.[name];
    return {
      name,
      active_up: active.filter((s) => isServing(s.status)).length - (stats.format === 'prometheus' ? (counted?.backup_up ?? 0) : 0),
      active_total: active.length,
      backup_up: stats.format === 'prometheus' ? (counted?.backup_up ?? 0) : backup.filter((s) => isServing(s.status)).length,
      ...(stats.format === 'csv' ? { backup_total: backup.length } : {}),
    };
  });
  for (const b of backends) if (b.active_up < 0) b.active_up = 0;
  const details: Record<string, unknown> = { format: stats.format, backends };
  if (!wanted.length) return { up: false, reason: 'no backend with servers on the stats page', peers, details };
  const dead = wanted.filter((b) => !servers.some((s) => s.backend === b && isServing(s.status)));
  const notUp = servers.filter((s) => s.status !== 'UP' && s.status !== 'no check');
  const obs: Observation = { up: dead.length === 0, peers, details };
  if (dead.length) {
    const why = servers.filter((s) => dead.includes(s.backend)).map(describe);
    obs.reason = `${dead.length === 1 ? 'backend' : 'backends'} ${dead.join(', ')} ${dead.length === 1 ? 'has' : 'have'} no UP server${why.length ? ` (${why.join(', ')})` : ''}`;
  } else if (notUp.length) {
    obs.warning = `pool degraded: ${notUp.map(describe).join(', ')}`;
  }
  return obs;
}

/** Detects the page's format by its content, so either URL works without a format field. */
export function parseHaproxyPage(text: string): HaproxyStats | { error: string } {
  const csv = parseStatsCsv(text);
  if (csv) return csv;
  try {
    const prom = parseHaproxyMetrics(text);
    if (prom) return prom;
  } catch (err) {
    if (!(err instanceof ExpositionError)) throw err;
  }
  return { error: 'response is neither HAProxy stats CSV nor HAProxy Prometheus metrics' };
}

export async function probeHaproxy(spec: HaproxySpec, ctx: ProbeContext): Promise<Observation> {
  const r = await fetchText(spec.url, ctx, 'stats page', { tlsVerify: spec.tls_verify });
  if (!r.ok) return { up: false, reason: r.reason, httpStatus: r.status };
  const stats = parseHaproxyPage(r.text);
  if ('error' in stats) return { up: false, reason: stats.error, httpStatus: r.res.status };
  const filter = spec.backend === undefined ? undefined : Array.isArray(spec.backend) ? spec.backend : [spec.backend];
  return { ...interpretHaproxy(stats, filter), httpStatus: r.res.status };
}

export const haproxyDriver: ProbeDriver<HaproxySpec> = {
  kind: 'haproxy',
  schema: haproxySchema,
  secrets: (spec) => secretsOfUrl(spec.url),
  probe: probeHaproxy,
};
