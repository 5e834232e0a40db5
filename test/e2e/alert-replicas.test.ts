import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { startBreakableTarget, startWebhookReceiver, type BreakableTarget, type WebhookHit, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { getJson, sleep, waitFor } from '../support/wait';

const SECRET = `whsec_${Buffer.from('alert-replicas-webhook-key-0123456789').toString('base64')}`;
const TARGETS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];

/**
 * Three complete copies of Nines (every role in each) on one PostgreSQL and one Redis, as a
 * highly available deployment runs: each alert change must reach the receiver once — not once
 * per replica — through the group_wait path (the dispatcher runs on every replica), and still
 * once when a replica is killed and another takes its targets over.
 */
describe('three replicas: each alert change is notified once', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let redis: RedisNode;
  let redisDir: { path: string; remove(): void };
  let hooks: WebhookReceiver;
  const targets: Record<string, BreakableTarget> = {};
  let procs: NinesProcess[] = [];

  before(async () => {
    redisDir = tempDir('alert-replicas');
    redis = await startRedis(redisDir.path);
    db = await freshDatabase('alert_replicas');
    hooks = await startWebhookReceiver({ '/hook': SECRET });
    for (const name of TARGETS) {
      targets[name] = await startBreakableTarget();
      await targets[name].start();
    }
    const config = writeConfig(`
defaults: { interval: 1s, timeout: 700ms, failure_threshold: 1 }
targets:
${TARGETS.map((n) => `  - name: ${n}\n    probe: { kind: http, url: "${targets[n].url}" }`).join('\n')}
alerting:
  receivers:
    - name: hook
      webhook: { url: "http://127.0.0.1:${hooks.port}/hook", secret: "${SECRET}", allow_private: true }
  route: { receiver: hook, group_by: [alertname, target], group_wait: 1s, group_interval: 2s, repeat_interval: 1h }
`);
    // The first one migrates; the others wait on the migration lock.
    procs = await Promise.all([0, 1, 2].map(() => startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redis.port}` })));
    await waitFor('every target up', async () => (await getJson<{ targets: unknown[] }>(`${procs[0].url}/api/v1/targets?state=up`)).body.targets?.length === TARGETS.length, 30_000);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await hooks?.close();
    await redis?.kill();
    redisDir?.remove();
    await db?.drop();
  });

  /** Per target, the alert statuses the receiver got for TargetDown, in arrival order. */
  const received = (hits: WebhookHit[]) => {
    const out = new Map<string, string[]>();
    for (const h of hits) {
      assert.equal(h.signature, 'ok');
      for (const a of h.json?.alerts ?? []) {
        if (a.labels?.alertname !== 'TargetDown') continue;
        out.set(a.labels.target, [...(out.get(a.labels.target) ?? []), a.status]);
      }
    }
    return out;
  };

  it('all targets fail: one firing notification each, whichever replica owns the target', async () => {
    await Promise.all(TARGETS.map((n) => targets[n].stop()));
    await waitFor('a firing notification for every target', () => TARGETS.every((n) => received(hooks.hits).get(n)?.includes('firing')), 30_000);
    await sleep(6000); // several dispatcher rounds on all three replicas and group intervals
    const got = received(hooks.hits);
    for (const n of TARGETS) assert.deepEqual(got.get(n), ['firing'], `${n}: ${JSON.stringify(got.get(n))}`);
    const ids = hooks.hits.map((h) => String(h.headers['webhook-id']));
    assert.equal(new Set(ids).size, ids.length, 'no notification sent twice');
  });

  it('one replica killed, then the targets recover: one resolved notification each, from the replicas left', async () => {
    const before = hooks.hits.length;
    await procs[2].stop('SIGKILL');
    await sleep(7000); // past the membership TTL (6s): the two left own every target
    await Promise.all(TARGETS.map((n) => targets[n].start()));
    await waitFor('a resolved notification for every target', () => TARGETS.every((n) => received(hooks.hits.slice(before)).get(n)?.includes('resolved')), 45_000);
    await sleep(6000);
    const got = received(hooks.hits.slice(before));
    for (const n of TARGETS) assert.deepEqual(got.get(n), ['resolved'], `${n}: ${JSON.stringify(got.get(n))}`);
    const ids = hooks.hits.map((h) => String(h.headers['webhook-id']));
    assert.equal(new Set(ids).size, ids.length, 'no notification sent twice');
    const alerts = await getJson<{ alerts: { labels: Record<string, string>; state: string }[] }>(`${procs[0].url}/api/v1/alerts`);
    assert.deepEqual(alerts.body.alerts.filter((a) => a.labels.alertname === 'TargetDown' && a.state !== 'resolved' && a.state !== 'inactive'), [], 'nothing left firing');
  });
});
