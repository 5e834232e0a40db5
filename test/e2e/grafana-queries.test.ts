import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freshDatabase, redisUrlFor } from '../support/env';
import { dashboardQueries, expandSql, interpolatePromQL, loadDashboards, type GrafanaQuery, type Json, type VariableValues } from '../support/grafana';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startPrometheus } from '../support/prometheus';
import { startHttpServer, reply, type TestHttpServer } from '../support/servers/http';
import { startPostgresPair, type PostgresPair } from '../support/servers/postgres-pair';
import { startRedis } from '../support/servers/redis-ha';
import { freePort, tempDir, type Spawned } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';
import { certValidBetween } from '../support/servers/tls-cert';
import { getJson, sleep, waitFor } from '../support/wait';

/**
 * Every query of every Grafana dashboard, against the real things Grafana would ask: a real
 * Prometheus (Debian's) scraping a real Nines with the example grafana/prometheus.yml, and the
 * Nines database as the read-only role nines_grafana. Nines watches a small lab that can be
 * broken quickly (a Redis master and replica, a TCP endpoint on the master, an HTTPS site, a
 * port nothing listens on, Prometheus itself as an exporter), and the test fails the master
 * over and back, so incidents, failovers, a timeline and replication exist.
 */
const INTERVAL = 500;
const SCRAPE = '1s';
const SECRET = 'pw-in-url-123';

function cli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
  );
}

const isSlo = (q: GrafanaQuery) => /\bnines_slo_\w+/.test(q.text);

describe('Grafana queries against a real Prometheus and the Nines database', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: Client;
  let nines: NinesProcess;
  let promUrl = '';
  let dir: { path: string; remove(): void };
  let https: TestHttpServer;
  let pg: PostgresPair;
  const servers: Spawned[] = [];
  let p1 = 0;
  let p2 = 0;
  const started = new Date();
  const timings: Record<string, number> = {};
  const queries = loadDashboards().flatMap(dashboardQueries);

  const redis = async (port: number, name: string, extra: string[] = []) => {
    const node = await startRedis(dir.path, { port, extra: ['--dbfilename', `${name}.rdb`, ...extra] });
    servers.push(node.proc);
    return node.proc;
  };
  const replicationOf = async (port: number) => Object.fromEntries((await cli(port, 'INFO', 'replication')).split(/\r?\n/).map((l) => l.split(':') as [string, string]));
  const promQuery = async (path: string, params: Record<string, string>) => {
    const r = await getJson(`${promUrl}${path}?${new URLSearchParams(params)}`);
    if (r.status !== 200 || r.body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    return r.body.data;
  };
  const labelValues = async (label: string, metric: string): Promise<string[]> => promQuery(`/api/v1/label/${label}/values`, { 'match[]': metric });

  before(async () => {
    const t0 = Date.now();
    const r = new Redis(redisUrlFor('grafana-queries'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('grafana_queries');
    dir = tempDir('grafana-queries');
    p1 = await freePort();
    p2 = await freePort();
    const ninesPort = await freePort();
    const promPort = await freePort();
    const r1 = await redis(p1, 'r1');
    await redis(p2, 'r2', ['--replicaof', '127.0.0.1', String(p1)]);
    await waitFor('r2 replicating from r1', async () => (await replicationOf(p2)).master_link_status === 'up', 10_000);
    // Replication lag in seconds and bytes comes from a PostgreSQL replica (a Redis replica's
    // lag is only known from its master's view, which /metrics does not export).
    pg = await startPostgresPair();
    https = await startHttpServer((_req, res) => reply(res, 200, 'ok'), certValidBetween(-1, 30));
    const nowhere = await closedPort();

    const config = writeConfig(`
defaults: { interval: ${INTERVAL}ms, timeout: 400ms }
systems:
  - name: cache
    layer: cache
    kind: redis
    expect: { primaries: 1, min_replicas: 1 }
    members:
      - name: r1
        probe: { kind: redis, url: "redis://127.0.0.1:${p1}" }
      - name: r2
        probe: { kind: redis, url: "redis://127.0.0.1:${p2}" }
  - name: web
    layer: service
    kind: tcp
    depends_on: [cache]
    endpoint:
      probe: { kind: tcp, address: "127.0.0.1:${p1}" }
  - name: db
    layer: storage
    kind: postgres
    expect: { primaries: 1, min_replicas: 1 }
    interval: 1s
    members:
      - name: pg1
        probe: { kind: postgres, url: "${pg.url(pg.primaryPort)}" }
      - name: pg2
        probe: { kind: postgres, url: "${pg.url(pg.replicaPort)}" }
targets:
  - name: homepage
    probe: { kind: http, url: "${https.origin}/", tls_verify: false }
  - name: gone
    probe: { kind: tcp, address: "127.0.0.1:${nowhere}" }
  - name: prometheus
    interval: 2s
    probe: { kind: exporter, url: "http://scraper:${SECRET}@127.0.0.1:${promPort}/metrics", timeout: 1s }
slos:
  - name: cache-availability
    selector: { system: cache }
    objective: 99.9
    window: 30d
`);
    // One probing location (quorum of one): the verdict path feeds every panel, and the location panels have data.
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: redisUrlFor('grafana-queries'), env: { NINES_PORT: String(ninesPort), NINES_LOCATION: 'dc1' }, readyTimeoutMs: 120_000 });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    timings.ninesStartMs = Date.now() - t0;

    // The example config, pointed at this Nines and scraping every second.
    const prom = await startPrometheus(dir.path, nines.url, { scrape: SCRAPE, port: promPort });
    servers.push(prom.proc);
    promUrl = prom.url;
    await waitFor('Prometheus scraped Nines', async () => (await promQuery('/api/v1/query', { query: 'up{job="nines"} == 1' })).result.length > 0, 30_000, 250);
    await waitFor(
      'cache, db and web healthy',
      async () => (await sql.query(`select system from topology where healthy order by system`)).rows.map((x) => x.system).join(',') === 'cache,db,web',
      20_000,
    );
    timings.prometheusReadyMs = Date.now() - t0;
    // A few seconds of healthy history before anything breaks.
    await sleep(3000);

    // The drill: kill -9 the master, promote the replica, bring the old master back as its replica.
    const tDrill = Date.now();
    await r1.kill();
    const incident = await waitFor('an open incident', async () => (await sql.query(`select id from incidents where state = 'open'`)).rows[0], 15_000);
    await sleep(1500);
    assert.equal(await cli(p2, 'REPLICAOF', 'NO', 'ONE'), 'OK');
    await waitFor('new primary elected', async () => (await sql.query(`select 1 from incident_timeline where incident_id = $1 and kind = 'new_primary_elected'`, [incident.id])).rowCount, 15_000);
    await sleep(1500);
    await redis(p1, 'r1-again', ['--replicaof', '127.0.0.1', String(p2)]);
    await waitFor('incident resolved', async () => (await sql.query(`select 1 from incidents where id = $1 and state = 'resolved'`, [incident.id])).rowCount, 30_000);
    await waitFor('r1 replicating from r2', async () => (await replicationOf(p1)).master_link_status === 'up', 10_000);
    timings.drillMs = Date.now() - tDrill;
    // Let Prometheus see the resolved state and the failover counter for a few scrapes.
    await waitFor('nines_failovers_total in Prometheus', async () => (await promQuery('/api/v1/query', { query: 'nines_failovers_total' })).result.length > 0, 15_000, 250);
    await sleep(4000);
    // SLO figures start once a whole minute of probes is rolled up; wait for them when this
    // build exports SLOs at all (the objective comes at once), so the SLO panels can be judged.
    if ((await promQuery('/api/v1/query', { query: 'nines_slo_objective_ratio' })).result.length) {
      const tSlo = Date.now();
      await waitFor(
        'nines_slo_availability_ratio and nines_slo_burn_rate in Prometheus',
        async () => (await promQuery('/api/v1/query', { query: 'count(nines_slo_availability_ratio) and count(nines_slo_burn_rate) and count(nines_slo_nines)' })).result.length > 0,
        150_000,
        1000,
      ).catch(() => undefined);
      await sleep(3000);
      timings.sloWaitMs = Date.now() - tSlo;
    }
  });

  after(async () => {
    await nines?.stop();
    await sql?.end().catch(() => undefined);
    await Promise.all(servers.map((s) => s.kill()));
    await https?.close();
    await pg?.stop();
    dir?.remove();
    await db?.drop();
  });

  /**
   * The values Grafana's variables take: every value ("All", the default), which must find data,
   * then each system alone, which must run (a single value is formatted differently) but may
   * rightly find nothing (Redis has no lag series, PostgreSQL no failover here).
   */
  const variableSets = async (): Promise<{ name: string; vars: VariableValues; mustHaveData: boolean }[]> => {
    // As Grafana resolves each query variable: label_values(metric, label) against Prometheus.
    const resolve = async (name: string) => {
      const defs = new Set(loadDashboards().flatMap((d) => d.json.templating.list.filter((v: Json) => v.name === name).map((v: Json) => v.query)));
      assert.equal(defs.size, 1, `$${name} is defined the same way in every dashboard: ${[...defs]}`);
      const m = /^label_values\((\w+),\s*(\w+)\)$/.exec([...defs][0]);
      assert.ok(m, `$${name}: ${[...defs][0]}`);
      return (await labelValues(m[2], m[1])).sort();
    };
    const systems = await resolve('system');
    assert.deepEqual(systems, ['cache', 'db', 'web'], 'the system variable lists every system');
    const slos = await resolve('slo');
    // No SLO exported: the queries still run, and report as empty.
    const slo = slos.length ? slos : ['no-slo-exported'];
    const location = await resolve('location');
    assert.deepEqual(location, ['dc1'], 'the location variable lists the probing location');
    return [
      { name: 'All', vars: { system: systems, slo, location }, mustHaveData: true },
      ...systems.map((s) => ({ name: `system=${s}`, vars: { system: [s], slo: slo.slice(0, 1), location }, mustHaveData: false })),
    ];
  };

  const runPromQL = async (q: GrafanaQuery, vars: VariableValues): Promise<{ expr: string; series: number }> => {
    const now = Date.now() / 1000;
    const from = started.getTime() / 1000 - 60;
    const expr = interpolatePromQL(q.text, vars, { range: `${Math.ceil(now - from)}s`, rateInterval: '1m', interval: '15s' });
    const data = q.range
      ? await promQuery('/api/v1/query_range', { query: expr, start: String(from), end: String(now), step: '2' })
      : await promQuery('/api/v1/query', { query: expr, time: String(now) });
    return { expr, series: data.result.length };
  };

  const checkPromQL = async (subset: GrafanaQuery[]) => {
    const empty: string[] = [];
    let ran = 0;
    for (const set of await variableSets())
      for (const q of subset) {
        const { expr, series } = await runPromQL(q, set.vars);
        ran++;
        if (series === 0 && set.mustHaveData) empty.push(`${q.dashboard} ${q.where} [${set.name}]: ${expr}`);
      }
    return { empty, ran };
  };

  it('every PromQL expression outside the SLO panels returns data', async () => {
    const subset = queries.filter((q) => q.kind === 'promql' && !isSlo(q));
    assert.ok(subset.length >= 25, `found ${subset.length} PromQL queries`);
    const { empty, ran } = await checkPromQL(subset);
    assert.deepEqual(empty, [], `${empty.length} of ${ran} returned no data:\n${empty.join('\n')}`);
  });

  it('every PromQL expression of the SLO panels returns data (needs nines_slo_* from the SLO code)', async () => {
    const subset = queries.filter((q) => q.kind === 'promql' && isSlo(q));
    assert.ok(subset.length >= 5, `found ${subset.length} SLO queries`);
    const exported = (await promQuery('/api/v1/label/__name__/values', { 'match[]': '{__name__=~"nines_slo_.+"}' })) as string[];
    const { empty, ran } = await checkPromQL(subset);
    assert.deepEqual(empty, [], `${empty.length} of ${ran} returned no data; nines_slo_* series Prometheus has: ${exported.join(', ') || 'none'}\n${empty.join('\n')}`);
  });

  it('every SQL query (panels and annotations) returns rows when run as the read-only role nines_grafana', async () => {
    const subset = queries.filter((q) => q.kind === 'sql');
    assert.ok(subset.length >= 10, `found ${subset.length} SQL queries`);
    const empty: string[] = [];
    const range = { from: new Date(started.getTime() - 60_000), to: new Date(Date.now() + 1000) };
    await sql.query('set role nines_grafana');
    try {
      for (const set of await variableSets())
        for (const q of subset) {
          const text = expandSql(q.text, set.vars, range);
          const res = await sql.query(text).catch((err: Error) => {
            throw new Error(`${q.dashboard} ${q.where}: ${err.message}\n${text}`);
          });
          if (res.rowCount === 0 && set.mustHaveData) empty.push(`${q.dashboard} ${q.where} [${set.name}]:\n${text}`);
          const cols = res.fields.map((f) => f.name);
          if (q.annotation) assert.ok(cols.includes('time') && cols.includes('text'), `${q.where}: annotations need time and text columns, got ${cols}`);
          if (q.format === 'time_series') assert.ok(cols.includes('time') && cols.includes('value'), `${q.where}: time series need time and value columns, got ${cols}`);
        }
    } finally {
      await sql.query('reset role');
    }
    assert.deepEqual(empty, [], `${empty.length} SQL queries returned no rows:\n${empty.join('\n\n')}`);
  });

  it('the read-only role reads the views but cannot write, nor read the tables behind them', async () => {
    await sql.query('set role nines_grafana');
    try {
      const { rows: all } = await sql.query(`select root_system, title, rto_seconds, failover_seconds from nines_incidents`);
      const rows = all.filter((r) => r.root_system === 'cache');
      assert.equal(rows.length, 1, `the drill made one incident of cache: ${JSON.stringify(all)}`);
      assert.ok(rows[0].rto_seconds > 0 && rows[0].failover_seconds > 0, JSON.stringify(rows[0]));
      await assert.rejects(sql.query(`insert into systems (name, layer, kind) values ('x', 'cache', 'redis')`), /permission denied/);
      await assert.rejects(sql.query(`update incidents set title = 'x'`), /permission denied/);
      await assert.rejects(sql.query(`select * from events`), /permission denied/);
      await assert.rejects(sql.query(`select * from alerts`), /permission denied/);
    } finally {
      await sql.query('reset role');
    }
  });

  it('Prometheus found the exporter through /api/v1/sd and scrapes it, with no credential anywhere', async () => {
    const sd = await getJson<{ targets: string[]; labels: Record<string, string> }[]>(`${nines.url}/api/v1/sd?role=exporter`);
    assert.equal(sd.status, 200);
    assert.deepEqual(sd.body.map((g) => [g.targets, g.labels.target]), [[[new URL(promUrl).host], 'prometheus']]);
    const all = await getJson(`${nines.url}/api/v1/sd`);
    assert.ok(!JSON.stringify(all.body).includes(SECRET), 'no password in the discovery answer');
    assert.equal((await getJson(`${nines.url}/api/v1/sd?role=nope`)).status, 400);

    const targets = await waitFor(
      'the discovered target scraped',
      async () => {
        const data = await promQuery('/api/v1/targets', { state: 'active' });
        const t = data.activeTargets.filter((x: Json) => x.labels.job === 'nines-exporters');
        return t.length && t.every((x: Json) => x.health === 'up') ? data : undefined;
      },
      15_000,
      250,
    );
    assert.ok(!JSON.stringify(targets).includes(SECRET), 'no password in what Prometheus discovered');
    const up = await promQuery('/api/v1/query', { query: 'up{job="nines-exporters", target="prometheus"}' });
    assert.equal(up.result[0]?.value[1], '1');
  });

  after(() => {
    // Run times, for the report (node --test prints diagnostics).
    console.log(`# grafana-queries timings: ${JSON.stringify(timings)}; ${queries.filter((q) => q.kind === 'promql').length} PromQL and ${queries.filter((q) => q.kind === 'sql').length} SQL queries`);
  });
});
