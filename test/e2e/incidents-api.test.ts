import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freshDatabase, redisUrlFor } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startRedis } from '../support/servers/redis-ha';
import { freePort, tempDir, type Spawned } from '../support/servers/spawned';
import { getJson, getText, parseMetrics, sleep, waitFor } from '../support/wait';

const INTERVAL = 500;
const SLACK = 500; // scheduling, probe and commit delays on a busy machine

/** One redis-cli command against a private server; the reply as text. */
function cli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
  );
}

interface TimelineJson {
  at: string;
  kind: string;
  system?: string;
  member?: string;
}

describe('incidents API: a Redis failover seen by a real nines process', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: Client;
  let nines: NinesProcess;
  let dir: { path: string; remove(): void };
  let p1: number;
  let p2: number;
  const servers: Spawned[] = [];
  let r1: Spawned;
  // When the test itself did each step (epoch ms).
  let killedAt = 0;
  let promotedAt = 0;
  let restartedAt = 0;
  let incidentId = 0;

  const redis = async (port: number, name: string, extra: string[] = []) => {
    const node = await startRedis(dir.path, { port, extra: ['--dbfilename', `${name}.rdb`, ...extra] });
    servers.push(node.proc);
    return node.proc;
  };
  const replicationOf = async (port: number) => Object.fromEntries((await cli(port, 'INFO', 'replication')).split(/\r?\n/).map((l) => l.split(':') as [string, string]));
  const timeline = async (id: number) => {
    const r = await getJson<{ timeline: TimelineJson[] }>(`${nines.url}/api/v1/incidents/${id}/timeline`);
    assert.equal(r.status, 200);
    return r.body.timeline;
  };

  before(async () => {
    const r = new Redis(redisUrlFor('incidents-api'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('incidents_api');
    dir = tempDir('incidents-api');
    p1 = await freePort();
    p2 = await freePort();
    r1 = await redis(p1, 'r1');
    await redis(p2, 'r2', ['--replicaof', '127.0.0.1', String(p1)]);
    await waitFor('r2 replicating from r1', async () => (await replicationOf(p2)).master_link_status === 'up', 10_000);

    const config = writeConfig(`
defaults: { interval: ${INTERVAL}ms, timeout: 400ms }
systems:
  - name: cache
    layer: cache
    kind: redis
    expect: { primaries: 1 }
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
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: redisUrlFor('incidents-api') });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // Both systems observed whole and healthy before anything breaks.
    await waitFor(
      'cache and web healthy in the topology table',
      async () => {
        const { rows } = await sql.query(`select system from topology where healthy order by system`);
        return rows.map((x) => x.system).join(',') === 'cache,web';
      },
      20_000,
    );
  });

  after(async () => {
    await nines?.stop();
    await sql?.end().catch(() => undefined);
    await Promise.all(servers.map((s) => s.kill()));
    dir?.remove();
    await db?.drop();
  });

  it('kill -9 the master, promote the replica, bring the old master back as its replica: one incident, resolved', async () => {
    assert.deepEqual((await getJson(`${nines.url}/api/v1/incidents`)).body, { incidents: [] });

    killedAt = Date.now();
    await r1.kill();
    const opened = await waitFor('an open incident with the primary lost', async () => {
      const r = await getJson(`${nines.url}/api/v1/incidents?state=open`);
      const inc = r.body.incidents?.[0];
      if (!inc) return undefined;
      const kinds = (await timeline(inc.id)).map((e) => e.kind);
      return kinds.includes('failover_started') && kinds.includes('service_down') ? inc : undefined;
    });
    incidentId = opened.id;

    // Spaced out so that failover duration (≈ 2 s) and RTO (≈ 4 s) cannot be mistaken for each other.
    await sleep(Math.max(0, killedAt + 2000 - Date.now()));
    promotedAt = Date.now();
    assert.equal(await cli(p2, 'REPLICAOF', 'NO', 'ONE'), 'OK');
    await waitFor('new_primary_elected', async () => (await timeline(incidentId)).some((e) => e.kind === 'new_primary_elected'));

    await sleep(Math.max(0, promotedAt + 2000 - Date.now()));
    restartedAt = Date.now();
    await redis(p1, 'r1-again', ['--replicaof', '127.0.0.1', String(p2)]);
    const resolved = await waitFor(
      'the incident resolved',
      async () => {
        const r = await getJson(`${nines.url}/api/v1/incidents/${incidentId}`);
        return r.body.state === 'resolved' ? r.body : undefined;
      },
      30_000,
    );

    const all = await getJson(`${nines.url}/api/v1/incidents`);
    assert.equal(all.status, 200);
    assert.equal(all.body.incidents.length, 1, JSON.stringify(all.body.incidents.map((i: { title: string }) => i.title)));
    assert.equal(resolved.id, incidentId);
    assert.equal(resolved.root_system, 'cache');
    assert.deepEqual([...resolved.systems].sort(), ['cache', 'web']);
    assert.equal(resolved.failovers, 1);
    assert.equal(resolved.drill, false);
    assert.equal(resolved.severity, 'critical');
    assert.ok(Date.parse(resolved.resolved_at) >= restartedAt, 'resolved after the old master came back');
  });

  it('measures failover duration and RTO within one interval of what the test did', async () => {
    const { body } = await getJson(`${nines.url}/api/v1/incidents/${incidentId}`);
    const m = body.measurements;
    const near = (what: string, got: number | undefined, want: number) =>
      assert.ok(got !== undefined && Math.abs(got - want) <= INTERVAL + SLACK, `${what}: ${got} ms, the test measured ${want} ms (± ${INTERVAL + SLACK})`);
    // The old primary's first failed probe → the promoted replica first seen serving.
    near('failover_duration', m.failover_duration.value_ms, promotedAt - killedAt);
    assert.equal(m.failover_duration.uncertainty_ms, INTERVAL);
    // cache has no endpoint; users reach web, whose endpoint is the old master's port: down until the restart.
    near('rto', m.rto.value_ms, restartedAt - killedAt);
    assert.equal(m.rto.measured, 'first failed probe of the user-facing endpoint → first successful one');
    assert.equal(m.rto.uncertainty_ms, INTERVAL);
    assert.ok(m.time_to_detect.value_ms >= 0 && m.time_to_detect.value_ms <= INTERVAL + SLACK, JSON.stringify(m.time_to_detect));
    assert.ok(m.time_to_resolve.value_ms >= restartedAt - killedAt - INTERVAL, JSON.stringify(m.time_to_resolve));
    assert.equal(m.rpo.lsn_diff_bytes, undefined); // Redis offsets are not LSNs
  });

  it('/timeline tells the story in order', async () => {
    const t = await timeline(incidentId);
    const at = t.map((e) => Date.parse(e.at));
    assert.deepEqual([...at].sort((a, b) => a - b), at, 'ordered by time');
    const story = ['detected', 'failover_started', 'new_primary_elected', 'service_restored', 'old_primary_rejoined', 'resolved'];
    const idx = story.map((k) => t.findIndex((e) => e.kind === k));
    assert.ok(idx.every((i) => i >= 0), `missing: ${story.filter((_, i) => idx[i] < 0).join(', ')} in ${t.map((e) => e.kind).join(', ')}`);
    assert.deepEqual([...idx].sort((a, b) => a - b), idx, t.map((e) => e.kind).join(', '));
    for (const k of story.filter((x) => x !== 'service_restored')) assert.equal(t.filter((e) => e.kind === k).length, 1, `${k} once`);
    // The milestone shares its kind with the event: cache's primary serving again (no endpoint), then web's own event.
    assert.deepEqual(t.filter((e) => e.kind === 'service_restored').map((e) => e.system), ['cache', 'web']);
    const elected = t.find((e) => e.kind === 'new_primary_elected')!;
    assert.equal(elected.member, 'r2');
    assert.equal(t.find((e) => e.kind === 'old_primary_rejoined')!.member, 'r1');
    // Both probe the killed port; whichever failed first opened the incident.
    const detected = t.find((e) => e.kind === 'detected')!;
    if (detected.system === 'web') assert.ok(t.some((e) => e.kind === 'root_cause_changed' && e.system === 'cache'), 'cache became the root');
    else assert.ok(t.some((e) => e.kind === 'impact' && e.system === 'web'), 'web joined as impact');
  });

  it('POST /api/v1/incidents/:id/ack acknowledges once; bad and unknown ids are 400 and 404', async () => {
    const ack = await getJson(`${nines.url}/api/v1/incidents/${incidentId}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'e2e' }) });
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    assert.equal(ack.body.already_acknowledged, false);
    assert.equal(ack.body.acknowledged_by, 'e2e');
    assert.equal(typeof ack.body.measurements.time_to_acknowledge.value_ms, 'number');
    const again = await getJson(`${nines.url}/api/v1/incidents/${incidentId}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'someone-else' }) });
    assert.equal(again.status, 200);
    assert.equal(again.body.already_acknowledged, true);
    assert.equal(again.body.acknowledged_by, 'e2e');
    assert.equal((await timeline(incidentId)).filter((e) => e.kind === 'acknowledged').length, 1);

    const bad = await getJson(`${nines.url}/api/v1/incidents/abc/ack`, { method: 'POST' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'bad_request');
    const missing = await getJson(`${nines.url}/api/v1/incidents/999999/ack`, { method: 'POST' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  it('/metrics counts the failover and the open incidents', async () => {
    const samples = parseMetrics((await getText(`${nines.url}/metrics`)).text);
    const failovers = samples.filter((s) => s.name === 'nines_failovers_total');
    // Every configured system has the series from the start (0 until its first failover).
    assert.deepEqual(failovers.map((s) => [s.labels.system, s.value]), [['cache', 1], ['web', 0]]);
    const open = samples.filter((s) => s.name === 'nines_incidents_open');
    assert.ok(open.length > 0, 'nines_incidents_open is exported');
    assert.equal(open.reduce((n, s) => n + s.value, 0), 0, 'nothing open any more');
  });

  it('POST /api/v1/drills starts and stops a drill: unknown system 404, a second start 409', async () => {
    const post = (body: unknown) => getJson(`${nines.url}/api/v1/drills`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const unknown = await post({ system: 'no-such-system', action: 'start' });
    assert.equal(unknown.status, 404);
    const started = await post({ system: 'cache', action: 'start', by: 'e2e', note: 'switchover rehearsal' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.system, 'cache');
    assert.equal(started.body.ended_at, null);
    const twice = await post({ system: 'cache', action: 'start' });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'conflict');
    const stopped = await post({ system: 'cache', action: 'stop' });
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.system, 'cache');
    assert.notEqual(stopped.body.ended_at, null);
    const stoppedAgain = await post({ system: 'cache', action: 'stop' });
    assert.equal(stoppedAgain.status, 404);
    const list = await getJson(`${nines.url}/api/v1/drills`);
    assert.equal(list.body.drills.length, 1);
    assert.equal((await post({ system: 'cache', action: 'pause' })).status, 400);
  });
});
