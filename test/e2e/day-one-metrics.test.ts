import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardQueries, interpolatePromQL, loadDashboards, type GrafanaQuery } from '../support/grafana';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus';
import { reply, startHttpServer, type TestHttpServer } from '../support/servers/http';
import { startPostgresPair, startPostgresServer, type PostgresPair, type PostgresServer } from '../support/servers/postgres-pair';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';
import { certValidBetween } from '../support/servers/tls-cert';
import { getJson, getText, parseMetrics, sleep, waitFor } from '../support/wait';

/**
 * Day one, as a new user sees it: a fresh Nines (its own PostgreSQL and Redis, nothing in them)
 * monitoring a PostgreSQL pair, a Redis pair behind a TCP endpoint, three HTTP targets (one TLS,
 * one failing) and two SLOs, with an email and a webhook receiver, scraped every second by a real
 * Prometheus with the example grafana/prometheus.yml. Nothing has failed over, nothing has been
 * sent: every dashboard expression must still find a series (0 where nothing happened). Then
 * Nines' own PostgreSQL is stopped: probing goes on, and no per-target series may leave /metrics
 * or show a gap at Prometheus.
 */
const OUTAGE_MS = 20_000;

const ALL = '.*';

describe('day-one metrics: every dashboard panel has a series from the first scrapes, and none vanishes while PostgreSQL is down', () => {
  let own: PostgresServer;
  let pair: PostgresPair;
  let nines: NinesProcess;
  let prom: RunningPrometheus;
  let web: TestHttpServer;
  let tls: TestHttpServer;
  let hook: TestHttpServer;
  const redis: RedisNode[] = [];
  const dir = tempDir('day-one-metrics');
  // The locations dashboard has series only where probers declare NINES_LOCATION (not on day one of a
  // single vantage point); the Grafana queries test runs its Nines as a location and checks it.
  const queries = loadDashboards()
    .filter((d) => d.file !== 'locations.json')
    .flatMap(dashboardQueries)
    .filter((q) => q.kind === 'promql');
  let perTarget: string[] = [];

  /** Each dashboard expression with its variables at Grafana's "All" (.*), and the series it finds. */
  const runAll = async (at: number): Promise<{ q: GrafanaQuery; expr: string; series: number }[]> => {
    const vars = Object.fromEntries(
      loadDashboards()
        .flatMap((d) => d.json.templating.list.map((v: { name: string }) => v.name))
        .map((n: string) => [n, [ALL]]),
    );
    const out = [];
    for (const q of queries) {
      const expr = interpolatePromQL(q.text, vars, { range: '5m', rateInterval: '1m', interval: '15s' }, { raw: true });
      out.push({ q, expr, series: (await prom.query(expr, at / 1000)).length });
    }
    return out;
  };

  before(async () => {
    own = await startPostgresServer();
    pair = await startPostgresPair();
    const r1 = await startRedis(dir.path);
    redis.push(r1, await startRedis(dir.path, { replicaOf: r1.port }));
    const ninesRedis = await startRedis(dir.path);
    redis.push(ninesRedis);
    web = await startHttpServer((_req, res) => reply(res, 200, 'ok'));
    tls = await startHttpServer((_req, res) => reply(res, 200, 'ok'), certValidBetween(-1, 30));
    const nowhere = await closedPort();
    hook = await startHttpServer((_req, res) => reply(res, 200, 'ok'));
    const config = writeConfig(`
defaults: { interval: 1s, timeout: 800ms }
systems:
  - name: db
    layer: storage
    kind: postgres
    expect: { primaries: 1, min_replicas: 1 }
    members:
      - { name: pg1, probe: { kind: postgres, url: "${pair.url(pair.primaryPort)}" } }
      - { name: pg2, probe: { kind: postgres, url: "${pair.url(pair.replicaPort)}" } }
  - name: cache
    layer: cache
    kind: redis
    expect: { primaries: 1, min_replicas: 1 }
    endpoint:
      probe: { kind: tcp, address: "127.0.0.1:${r1.port}" }
    members:
      - { name: r1, probe: { kind: redis, url: "redis://127.0.0.1:${r1.port}" } }
      - { name: r2, probe: { kind: redis, url: "redis://127.0.0.1:${redis[1].port}" } }
targets:
  - { name: homepage, probe: { kind: http, url: "${web.origin}/" } }
  - { name: secure, probe: { kind: http, url: "${tls.origin}/", tls_verify: false } }
  - { name: gone, probe: { kind: http, url: "http://127.0.0.1:${nowhere}/" } }
slos:
  - { name: db-availability, selector: { system: db }, objective: 99.9, window: 30d }
  - { name: homepage-availability, selector: { target: homepage }, objective: 99.5, window: 7d }
smtp: { url: "smtp://127.0.0.1:${nowhere}", from: "nines@example.com" }
alerting:
  receivers:
    - { name: oncall, email: { to: [oncall@example.com] } }
    - { name: chatops, webhook: { url: "${hook.origin}/hook", allow_private: true } }
  route: { receiver: chatops, routes: [ { matchers: ['severity="nothing-has-this"'], receiver: oncall } ] }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: own.url('nines'), redisUrl: `redis://127.0.0.1:${ninesRedis.port}`, readyTimeoutMs: 120_000 });
    prom = await startPrometheus(dir.path, nines.url);
    await waitFor('two scrapes of Nines', async () => (await prom.query('count_over_time(up{job="nines"}[1m]) >= 2 and up{job="nines"} == 1')).length > 0, 30_000, 250);
    perTarget = parseMetrics((await getText(`${nines.url}/metrics`)).text)
      .filter((m) => m.name === 'probe_success')
      .map((m) => m.labels.target)
      .sort();
  });

  after(async () => {
    await nines?.stop();
    await prom?.proc.kill();
    await Promise.all(redis.map((r) => r.kill()));
    await web?.close();
    await tls?.close();
    await hook?.close();
    await pair?.stop();
    await own?.stop();
    dir.remove();
  });

  it('every PromQL expression of every dashboard returns a series after two scrapes, with nothing failed over or sent', async () => {
    assert.ok(queries.length >= 30, `found ${queries.length} PromQL queries`);
    const results = await runAll(Date.now());
    const empty = results.filter((r) => r.series === 0).map((r) => `${r.q.dashboard} ${r.q.where}: ${r.expr}`);
    assert.deepEqual(empty, [], `${empty.length} of ${results.length} returned nothing:\n${empty.join('\n')}`);
    // The series are there because they start at 0, not because something happened.
    assert.deepEqual((await prom.query('nines_failovers_total')).map((s) => [s.metric.system, s.value[1]]).sort(), [['cache', '0'], ['db', '0']]);
    assert.deepEqual((await prom.query('sum by (receiver) (nines_notifications_total{receiver="oncall"})')).map((s) => s.value[1]), ['0']);
  });

  it('the day-one scrape has every configured target probed and passes promtool-like sanity (no Nan spelling)', async () => {
    assert.deepEqual(perTarget, ['cache/@endpoint', 'cache/r1', 'cache/r2', 'db/pg1', 'db/pg2', 'gone', 'homepage', 'secure']);
    const text = (await getText(`${nines.url}/metrics`)).text;
    assert.doesNotMatch(text, / Nan$/m, 'NaN is spelled NaN');
  });

  it('with its own PostgreSQL stopped, Nines keeps every per-target series on /metrics and at Prometheus, with no gap', async () => {
    const t0 = Date.now();
    await own.pause();
    const seen: string[][] = [];
    let lastSuccessOfGone = '';
    let scrapes = 0;
    while (Date.now() - t0 < OUTAGE_MS) {
      const m = parseMetrics((await getText(`${nines.url}/metrics`)).text);
      scrapes++;
      seen.push(m.filter((x) => x.name === 'probe_success').map((x) => x.labels.target).sort());
      lastSuccessOfGone = String(m.find((x) => x.name === 'probe_success' && x.labels.target === 'gone')?.value);
      const stale = m.filter((x) => x.name === 'nines_probe_stale' && x.value === 1).map((x) => x.labels.target);
      if (stale.length) {
        const runs = m.filter((x) => x.name === 'nines_probe_last_run_timestamp_seconds').map((x) => `${x.labels.target}: ${((Date.now() / 1000 - x.value)).toFixed(1)} s ago`);
        assert.fail(`stale while PostgreSQL is down: ${stale.join(', ')}; last runs ${runs.join(', ')}\n${nines.logs().slice(-4000)}`);
      }
      await sleep(1000);
    }
    // /readyz says which dependency is down, in words.
    const ready = await getJson(`${nines.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'not ready');
    assert.match(ready.body.dependencies.postgres, /^down: \S/);
    assert.equal(ready.body.dependencies.redis, 'up');
    // Every dashboard expression still answers while the database is down.
    const during = await runAll(Date.now());
    const t1 = Date.now();
    await own.start();
    for (const s of seen) assert.deepEqual(s, perTarget, 'probe_success lost a target while PostgreSQL was down');
    assert.ok(scrapes >= 10, `scraped ${scrapes} times`);
    assert.equal(lastSuccessOfGone, '0');
    const emptyDuring = during.filter((r) => r.series === 0).map((r) => `${r.q.dashboard} ${r.q.where}: ${r.expr}`);
    assert.deepEqual(emptyDuring, [], `with PostgreSQL down, ${emptyDuring.length} returned nothing:\n${emptyDuring.join('\n')}`);

    // At Prometheus: one sample per second for every target across the outage. A series that left a
    // scrape gets a staleness marker, and query_range shows the gap from there on.
    await sleep(2500);
    const start = (t0 - 2000) / 1000;
    const end = (t1 + 2000) / 1000;
    const range = await prom.api('/api/v1/query_range', { query: 'probe_success', start: String(start), end: String(end), step: '1' });
    assert.deepEqual(range.result.map((s: { metric: Record<string, string> }) => s.metric.target).sort(), perTarget);
    // A gap: a step with no value, inside the range or at either end.
    const gaps: string[] = [];
    for (const s of range.result as { metric: Record<string, string>; values: [number, string][] }[]) {
      const at = s.values.map(([t]) => t);
      if (at[0] - start > 1.5) gaps.push(`${s.metric.target}: first value ${(at[0] - start).toFixed(1)} s after the start`);
      if (end - at[at.length - 1] > 1.5) gaps.push(`${s.metric.target}: last value ${(end - at[at.length - 1]).toFixed(1)} s before the end`);
      for (let i = 1; i < at.length; i++) if (at[i] - at[i - 1] > 1.5) gaps.push(`${s.metric.target}: no value for ${(at[i] - at[i - 1] - 1).toFixed(0)} s from ${new Date(at[i - 1] * 1000).toISOString()}`);
    }
    assert.deepEqual(gaps, [], `probe_success over ${(end - start).toFixed(0)} s around the outage`);
    const upMin = await prom.query(`min_over_time(up{job="nines"}[${Math.ceil((t1 - t0) / 1000)}s])`, t1 / 1000);
    assert.equal(upMin[0]?.value[1], '1', 'every scrape during the outage succeeded');
    // The state written while it was down reaches the database once it is back (nothing lost).
    await waitFor('Nines writing results again', async () => (await getText(`${nines.url}/readyz`)).status === 200, 30_000, 500);
  });
});
