import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { startWebhookReceiver, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { getJson, sleep, startRecordingServer, waitFor, type RecordingServer } from '../support/wait';

type Alert = { status: string; labels: Record<string, string> };
const statuses = (hooks: WebhookReceiver) => hooks.hits.flatMap((h) => ((h.json as { alerts?: Alert[] })?.alerts ?? []).filter((a) => a.labels.alertname === 'HeartbeatMissing').map((a) => a.status));

describe('heartbeats and the dead-man\'s switch (two real replicas)', () => {
  const dir = tempDir('heartbeats');
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let hooks: WebhookReceiver;
  let ping: RecordingServer;
  let procs: NinesProcess[] = [];
  let startedAt = 0;

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('heartbeats');
    hooks = await startWebhookReceiver();
    ping = await startRecordingServer();
    const config = writeConfig(`
heartbeats: [ { name: nightly-backup, period: 2s, grace: 1s, labels: { team: db } } ]
self_heartbeat: { url: "${ping.url}/ping/s3cr3t-uuid", interval: 1s }
alerting:
  receivers: [ { name: hook, webhook: { url: "${hooks.url}/hook", allow_private: true } } ]
  route: { receiver: hook, group_by: [alertname, heartbeat], group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
`);
    startedAt = Date.now();
    procs = await Promise.all([0, 1].map(() => startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0` })));
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await hooks?.close();
    await ping?.close();
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  const push = () => getJson(`${procs[1].url}/api/v1/heartbeats/nightly-backup`, { method: 'POST' });

  it('a heartbeat that never pushed fires once period + grace after Nines began watching it; a push resolves it', async () => {
    await waitFor('HeartbeatMissing firing', () => statuses(hooks).includes('firing'), 20_000);
    console.log(`never pushed: firing notification ${Date.now() - startedAt} ms after start (period 2 s + grace 1 s + evaluation + group_wait 1 s)`);
    const list = await getJson(`${procs[0].url}/api/v1/heartbeats`);
    assert.equal(list.body.heartbeats[0].missing, true);
    const r = await push();
    assert.equal(r.status, 202);
    assert.equal(r.body.heartbeat, 'nightly-backup');
    assert.equal(Date.parse(r.body.due_by) - Date.parse(r.body.pushed_at), 3000);
    await waitFor('resolved', () => statuses(hooks).includes('resolved'), 15_000);
    assert.deepEqual(statuses(hooks), ['firing', 'resolved'], 'once each, though both replicas evaluate it');
  });

  it('regular pushes keep it quiet; when they stop, it fires within period + grace + one evaluation (+ group_wait)', async () => {
    for (let i = 0; i < 6; i++) {
      assert.equal((await push()).status, 202);
      await sleep(1000);
    }
    assert.deepEqual(statuses(hooks), ['firing', 'resolved']);
    const stopped = Date.now();
    await waitFor('firing again', () => statuses(hooks).filter((s) => s === 'firing').length === 2, 20_000);
    const took = Date.now() - stopped;
    console.log(`pushes stopped: firing notification after ${took} ms (period 2 s + grace 1 s, evaluation every 1 s, group_wait 1 s)`);
    assert.ok(took >= 2000, `fired after ${took} ms, before the period and grace ran out`);
    assert.equal((await getJson(`${procs[0].url}/api/v1/heartbeats/nope`, { method: 'POST' })).status, 404);
    const audit = await getJson(`${procs[0].url}/api/v1/audit?action=ingest.accepted&limit=50`);
    assert.ok(audit.body.some((r: { target: string }) => r.target === 'heartbeat:nightly-backup'));
  });

  it("Nines' own heartbeat reaches the external URL about once an interval, not once per replica, and the URL stays out of the logs", async () => {
    const from = Date.now();
    const before = ping.requests.length;
    await sleep(6000);
    const n = ping.requests.length - before;
    const slots = Math.ceil((Date.now() - from) / 1000);
    console.log(`self heartbeat: ${n} pushes in ${slots} one-second slots from 2 replicas`);
    assert.ok(n >= slots - 2 && n <= slots + 1, `${n} pushes in ${slots} slots`);
    for (const p of procs) assert.ok(!p.logs().includes('s3cr3t-uuid'));
    // Each replica counts the pushes it made; together they made them all.
    let sent = 0;
    for (const p of procs) sent += Number(/nines_self_heartbeats_total\{outcome="sent"\} (\d+)/.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1] ?? 0);
    assert.ok(sent >= n, `${sent} counted as sent by the replicas, ${n} received`);
  });
});
