import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freshDatabase, redisUrlFor } from './env';
import { LAB_ENV, LAB_PORTS } from './lab';
import { startNinesProcess, writeConfig, type NinesProcess } from './nines-process';
import { getJson, waitFor } from './wait';

/**
 * Shared by the chaos tests (test/e2e/chaos.test.ts) and bench/failover-detection: a real Nines
 * process with its own database watching the lab, and the lab seen the way the drills need it.
 */
export interface NinesCase {
  nines: NinesProcess;
  /** Nines' own database (not the lab's PostgreSQL). */
  sql: Client;
  api<T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** Starts Nines on a fresh database named after the case, with a flushed Redis index. */
export async function startNinesCase(name: string, redisKey: string, yaml: string): Promise<NinesCase> {
  const redisUrl = redisUrlFor(redisKey);
  const r = new Redis(redisUrl);
  await r.flushdb();
  r.disconnect();
  const db = await freshDatabase(name);
  const nines = await startNinesProcess({ configPath: writeConfig(yaml), databaseUrl: db.url, redisUrl, env: { NINES_LOG_LEVEL: 'info' } });
  // A run that is interrupted must not leave a Nines probing the lab behind it.
  const reap = () => nines.proc.kill('SIGKILL');
  process.once('exit', reap);
  nines.proc.once('exit', () => process.removeListener('exit', reap));
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  return {
    nines,
    sql,
    api: <T>(path: string, init?: RequestInit) => getJson<T>(`${nines.url}${path}`, init),
    async stop() {
      await nines.stop();
      await sql.end().catch(() => undefined);
      await db.drop().catch(() => undefined);
    },
  };
}

export interface TimelineEntry {
  at: number;
  kind: string;
  system?: string;
  member?: string;
  message: string;
  details: Record<string, any>;
}

export interface Incident {
  id: number;
  state: 'open' | 'resolved';
  severity: string;
  title: string;
  root_system: string;
  systems: string[];
  drill: boolean;
  failovers: number;
  opened_at: string;
  resolved_at: string | null;
  measurements: Record<string, any>;
}

export async function incidents(c: NinesCase, query = ''): Promise<Incident[]> {
  const r = await c.api<{ incidents: Incident[] }>(`/api/v1/incidents${query}`);
  if (r.status !== 200) throw new Error(`GET /api/v1/incidents${query}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.incidents;
}

export async function incident(c: NinesCase, id: number): Promise<Incident> {
  const r = await c.api<Incident>(`/api/v1/incidents/${id}`);
  if (r.status !== 200) throw new Error(`GET /api/v1/incidents/${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The timeline with `at` as epoch ms. */
export async function timeline(c: NinesCase, id: number): Promise<TimelineEntry[]> {
  const r = await c.api<{ timeline: (Omit<TimelineEntry, 'at'> & { at: string })[] }>(`/api/v1/incidents/${id}/timeline`);
  if (r.status !== 200) throw new Error(`GET /api/v1/incidents/${id}/timeline: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.timeline.map((e) => ({ ...e, at: Date.parse(e.at) }));
}

/** Waits for the newest incident of a system whose timeline satisfies `ready`. */
export async function waitForIncident(
  c: NinesCase,
  system: string,
  what: string,
  ready: (t: TimelineEntry[], inc: Incident) => boolean,
  timeoutMs = 20_000,
): Promise<{ incident: Incident; timeline: TimelineEntry[] }> {
  let seen = 'no incident';
  try {
    return await waitFor(
      what,
      async () => {
        const inc = (await incidents(c, `?system=${encodeURIComponent(system)}`))[0];
        if (!inc) return undefined;
        const t = await timeline(c, inc.id);
        seen = `incident ${inc.id} (${inc.state}, ${inc.severity}): ${describeTimeline(t)}`;
        return ready(t, inc) ? { incident: inc, timeline: t } : undefined;
      },
      timeoutMs,
      50,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; newest ${seen}`);
  }
}

export const kinds = (t: TimelineEntry[]) => t.map((e) => e.kind);
/** Kinds, with the member and reason of failures: enough to tell a drill from noise in a message. */
export const describeTimeline = (t: TimelineEntry[]) =>
  t.map((e) => (e.kind === 'member_down' || e.kind === 'service_down' ? `${e.kind}(${e.member ?? e.system}: ${e.details.reason})` : e.kind)).join(', ');
export const entry = (t: TimelineEntry[], kind: string, pred: (e: TimelineEntry) => boolean = () => true) => t.find((e) => e.kind === kind && pred(e));

/** Until every named system is whole and healthy in Nines' topology table. */
export async function waitHealthy(c: NinesCase, systems: string[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${systems.join(', ')} healthy in Nines' topology`,
    async () => {
      const { rows } = await c.sql.query<{ system: string }>('select system from topology where healthy and system = any($1)', [systems]);
      return rows.length === systems.length;
    },
    timeoutMs,
    100,
  );
}

/** The member GET /api/v1/systems/:name names as primary (or leader). */
export async function primaryOf(c: NinesCase, system: string): Promise<string | undefined> {
  const r = await c.api<{ primary?: string }>(`/api/v1/systems/${encodeURIComponent(system)}`);
  return r.status === 200 ? r.body.primary : undefined;
}

// ---------------------------------------------------------------------------------------------
// The lab, seen from the test.

export const labPostgresMembers = () => `
      - name: pg1
        probe: { kind: postgres, url: "${LAB_ENV.PG1_URL}" }
      - name: pg2
        probe: { kind: postgres, url: "${LAB_ENV.PG2_URL}" }`;

export const labSentinelProbe = () =>
  `{ kind: redis-sentinel, sentinels: [${LAB_PORTS.sentinels.map((p) => `"127.0.0.1:${p}"`).join(', ')}], master: ${LAB_ENV.SENTINEL_MASTER} }`;

/** The lab's Redis as a Sentinel user configures it: the Sentinels are how clients reach it, r1 and r2 its members. */
export const labRedisSystem = () => `
  - name: lab-redis
    layer: cache
    kind: redis-sentinel
    expect: { primaries: 1, min_replicas: 1 }
    endpoint:
      probe: ${labSentinelProbe()}
    members:
      - name: r1
        probe: { kind: redis, url: "redis://127.0.0.1:${LAB_PORTS.redis1}" }
      - name: r2
        probe: { kind: redis, url: "redis://127.0.0.1:${LAB_PORTS.redis2}" }`;

/** r1 or r2, from a port Sentinel names. */
export const labRedisMember = (port: number | string) => (Number(port) === LAB_PORTS.redis1 ? 'r1' : Number(port) === LAB_PORTS.redis2 ? 'r2' : undefined);

/** `select not pg_is_in_recovery()` on one lab node: true primary, false replica, undefined down. */
export async function pgIsPrimary(port: number, timeoutMs = 300): Promise<boolean | undefined> {
  const c = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const r = await c.query<{ p: boolean }>('select not pg_is_in_recovery() as p');
    return r.rows[0].p;
  } catch {
    return undefined;
  } finally {
    c.end().catch(() => undefined);
  }
}

/**
 * Writes a row to lab_heartbeat on a lab node every `everyMs` until stopped or the node dies, so
 * a replica has transactions to replay and RPO has something to measure.
 */
export async function startPgWriter(port: number, everyMs = 50): Promise<{ rows: () => number; stop(): Promise<void> }> {
  const c = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 });
  c.on('error', () => undefined);
  await c.connect();
  let rows = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await c.query('insert into lab_heartbeat default values');
        rows++;
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    rows: () => rows,
    async stop() {
      running = false;
      await loop;
      await c.end().catch(() => undefined);
    },
  };
}

/**
 * A stand-in for an application on top of the lab's PostgreSQL: answers 200 when it finds a
 * primary among the nodes (as a driver with target_session_attrs=read-write would), 503 when not.
 * It keeps one connection per node, so it answers in a millisecond or two however busy the machine.
 */
export async function startOrdersApi(ports: number[]): Promise<{ url: string; close(): Promise<void> }> {
  const conns = new Map<number, Promise<Client>>();
  const connection = (port: number) => {
    let p = conns.get(port);
    if (!p) {
      const c = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 300, query_timeout: 300 });
      c.on('error', () => conns.delete(port));
      c.on('end', () => conns.delete(port));
      p = c.connect().then(() => c);
      p.catch(() => conns.delete(port));
      conns.set(port, p);
    }
    return p;
  };
  const isPrimary = async (port: number) => {
    try {
      const c = await connection(port);
      return (await c.query<{ p: boolean }>('select not pg_is_in_recovery() as p')).rows[0].p;
    } catch {
      conns.delete(port);
      return false;
    }
  };
  const server = createServer((req, res) => {
    void Promise.all(ports.map(isPrimary)).then((primary) => {
      const port = ports.find((_, i) => primary[i]);
      res.writeHead(port ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(port ? `orders served by 127.0.0.1:${port}\n` : 'no primary\n');
    });
  });
  server.keepAliveTimeout = 500;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    async close() {
      await new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections()));
      for (const p of conns.values()) void p.then((c) => c.end()).catch(() => undefined);
    },
  };
}

/** ZooKeeper's `srvr` Mode line on one node (leader, follower, …), undefined when it does not serve. */
export function zkMode(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let out = '';
    const s = net.connect({ host: '127.0.0.1', port }, () => s.end('srvr'));
    s.setTimeout(1000, () => s.destroy());
    s.on('data', (d) => (out += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(/^Mode: (\w+)/m.exec(out)?.[1]));
  });
}

/**
 * Listens to every lab Sentinel for +switch-master and keeps the first time each distinct switch
 * was heard, on this process's clock.
 */
export async function listenForSwitchMaster(): Promise<{ announced: { at: number; payload: string }[]; close(): void }> {
  const announced: { at: number; payload: string }[] = [];
  const conns = LAB_PORTS.sentinels.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => 200 }));
  for (const r of conns) {
    r.on('error', () => undefined);
    r.on('message', (_channel: string, payload: string) => {
      const at = Date.now();
      if (!announced.some((a) => a.payload === payload)) announced.push({ at, payload });
    });
  }
  await Promise.all(conns.map(async (r) => (await r.connect(), await r.subscribe('+switch-master'))));
  return { announced, close: () => conns.forEach((r) => r.disconnect()) };
}
