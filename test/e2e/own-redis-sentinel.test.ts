import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { freshDatabase } from '../support/env';
import { MAIN, startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { startSentinelGroup, waitForMaster, waitForSentinelsReady, type SentinelGroup } from '../support/servers/redis-ha';
import { startBreakableTarget, startWebhookReceiver, type BreakableTarget, type WebhookHit, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { closedPort, getJson, getText, parseMetrics, sleep, waitFor } from '../support/wait';

/**
 * Nines' own Redis behind Sentinel (issue 16, part A): two real Nines processes reach their Redis
 * only through three Sentinels. The Redis master is killed with SIGKILL; the Sentinels promote the
 * replica; the processes must follow without a restart — pub/sub announcements, BullMQ delivery
 * and the outbox — and lose or duplicate no notification. Counts are asserted, not timings.
 */
const DATA_PW = 'Own-Redis-Pa55-3c9d1e';
const SENTINEL_PW = 'Own-Sentinel-Pa55-7b2a4f';
const WEBHOOK_SECRET = `whsec_${Buffer.from('own-redis-sentinel-webhook-key-42').toString('base64')}`;
const ARRIVES = 60_000;

/** `nines start` that is expected to fail: exit code and what it printed. */
function startFailing(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base.REDIS_URL;
    const p = spawn(process.execPath, [MAIN, 'start'], { env: { ...base, NINES_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertOneClearLine(r: { code: number | null; stdout: string; stderr: string }, what: RegExp, fix: RegExp, secrets: string[]): string {
  assert.equal(r.code, 1, `exit code ${r.code}; stderr:\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], what);
  assert.match(lines[0], fix);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  for (const s of secrets) assert.ok(!r.stderr.includes(s) && !r.stdout.includes(s), `a password is printed:\n${r.stderr}\n${r.stdout}`);
  return lines[0];
}

/** "target:status" of every alert in a webhook: what changed, as the receiver saw it. */
const changesOf = (h: WebhookHit): string[] => (h.json?.alerts ?? []).map((a: { status: string; labels: Record<string, string> }) => `${a.labels.target}:${a.status}`);

function countBy<T>(xs: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

describe("Nines' own Redis behind Sentinel", () => {
  let g: SentinelGroup;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let hooks: WebhookReceiver;
  const targets: Record<string, BreakableTarget> = {};
  const procs: NinesProcess[] = [];
  let configPath: string;
  let sentinelEnv: Record<string, string>;

  const configFor = (names: string[]) => `
defaults: { interval: 1s, timeout: 1s, failure_threshold: 2 }
targets:
${names.map((n) => `  - name: ${n}\n    probe: { kind: http, url: "${targets[n].url}" }`).join('\n')}
alerting:
  receivers:
    - name: hook
      webhook: { url: "http://127.0.0.1:${hooks.port}/hook", secret: "${WEBHOOK_SECRET}", allow_private: true }
  route: { receiver: hook, group_by: [alertname, target], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
`;

  before(async () => {
    g = await startSentinelGroup({ masterName: 'nines-own', password: DATA_PW, sentinelPassword: SENTINEL_PW, downAfterMs: 1000 });
    await waitForSentinelsReady(g, SENTINEL_PW);
    db = await freshDatabase('own_redis_sentinel');
    hooks = await startWebhookReceiver({ '/hook': WEBHOOK_SECRET });
    for (const n of ['steady', 'pre', 'during', 'post', 'added']) targets[n] = await startBreakableTarget();
    configPath = writeConfig(configFor(['steady', 'pre', 'during', 'post']));
    sentinelEnv = { REDIS_SENTINELS: g.sentinelAddresses.join(','), REDIS_SENTINEL_MASTER: g.masterName, REDIS_SENTINEL_PASSWORD: SENTINEL_PW, REDIS_PASSWORD: DATA_PW };
  });

  after(async () => {
    hooks?.release();
    if (process.env.NINES_TEST_LOGS) procs.forEach((p, i) => writeFileSync(`${process.env.NINES_TEST_LOGS}/own-redis-sentinel-${i}.log`, p.logs()));
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await hooks?.close();
    await g?.stop();
    await db?.drop();
  });

  it('start-up without a usable Sentinel setup is one clear line naming the variable to fix, never a password', async () => {
    const secrets = [DATA_PW, SENTINEL_PW, 'Wrong-Pa55-0000'];
    const base = { NINES_CONFIG: configPath, DATABASE_URL: db.url, NINES_LOG_LEVEL: 'warn' };
    const [a, b] = [await closedPort(), await closedPort()];
    const unreachable = assertOneClearLine(
      await startFailing({ ...base, ...sentinelEnv, REDIS_SENTINELS: `127.0.0.1:${a},127.0.0.1:${b}` }),
      new RegExp(`^nines: cannot reach any Redis Sentinel at 127\\.0\\.0\\.1:${a},127\\.0\\.0\\.1:${b} \\(ECONNREFUSED\\)`),
      /start the Sentinels or fix REDIS_SENTINELS$/,
      secrets,
    );
    const unknown = assertOneClearLine(await startFailing({ ...base, ...sentinelEnv, REDIS_SENTINEL_MASTER: 'no-such-master' }), /know no master named "no-such-master"/, /REDIS_SENTINEL_MASTER/, secrets);
    const badSentinelPw = assertOneClearLine(await startFailing({ ...base, ...sentinelEnv, REDIS_SENTINEL_PASSWORD: 'Wrong-Pa55-0000' }), /Sentinels at .* refused the credentials/, /fix REDIS_SENTINEL_PASSWORD$/, secrets);
    const noSentinelPw = assertOneClearLine(await startFailing({ ...base, ...sentinelEnv, REDIS_SENTINEL_PASSWORD: '' }), /Sentinels at .* refused the credentials/, /set REDIS_SENTINEL_PASSWORD/, secrets);
    const badDataPw = assertOneClearLine(
      await startFailing({ ...base, ...sentinelEnv, REDIS_PASSWORD: 'Wrong-Pa55-0000' }),
      new RegExp(`the Redis master "nines-own" at 127\\.0\\.0\\.1:${g.master.port} \\(named by the Sentinels\\) refused the credentials`),
      /fix REDIS_PASSWORD$/,
      secrets,
    );
    const noMaster = assertOneClearLine(await startFailing({ ...base, REDIS_SENTINELS: `127.0.0.1:${a}` }), /^nines: REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS/, /sentinel monitor/, secrets);
    const badList = assertOneClearLine(await startFailing({ ...base, ...sentinelEnv, REDIS_SENTINELS: `127.0.0.1:${a},,` }), /^nines: REDIS_SENTINELS: entry 2 is empty/, /host:port/, secrets);
    for (const line of [unreachable, unknown, badSentinelPw, noSentinelPw, badDataPw, noMaster, badList]) console.log(`  ${line}`);
  });

  it('the Redis master is killed: both replicas follow the promoted replica without a restart; nothing lost, nothing duplicated', async () => {
    const a = await startNinesProcess({ configPath, databaseUrl: db.url, env: sentinelEnv });
    procs.push(a);
    const b = await startNinesProcess({ configPath, databaseUrl: db.url, env: sentinelEnv });
    procs.push(b);
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    try {
      for (const p of [a, b]) assert.match(p.logs(), new RegExp(`redis {4}Sentinel master "nines-own" via ${g.sentinelAddresses.join(',').replace(/\./g, '\\.')}`), 'where-to-look names the Sentinel master');
      await waitFor('4 targets up', async () => (await getJson<{ targets: unknown[] }>(`${a.url}/api/v1/targets?state=up`)).body.targets?.length === 4, 30_000);

      // Before the failover: one alert, to show the pipeline works through the Sentinel-named master.
      await targets.pre.stop();
      await waitFor('the firing webhook for pre', () => hooks.hits.some((h) => changesOf(h).includes('pre:firing')), ARRIVES);

      // Kill -9 the master; a target breaks at the same moment, so its alert is raised while
      // Redis fails over (the outbox must carry it across).
      const killedAt = Date.now();
      await g.master.kill();
      await targets.during.stop();
      await waitForMaster(g, g.replica.port, SENTINEL_PW);
      const promotedAt = Date.now();
      const firstAfter = await waitFor('the first notification after the kill', () => hooks.hits.find((h) => h.at > killedAt && h.answered), ARRIVES, 50);
      console.log(`  master killed → replica promoted by the Sentinels: ${promotedAt - killedAt} ms; → first notification delivered: ${firstAfter.at - killedAt} ms (${changesOf(firstAfter).join(', ')})`);

      // After the failover: a target going down is notified, a recovery too.
      await targets.post.stop();
      await targets.pre.start();
      const expected = ['pre:firing', 'pre:resolved', 'during:firing', 'post:firing'];
      await waitFor(`the webhooks for ${expected.join(', ')}`, () => expected.every((c) => hooks.hits.some((h) => changesOf(h).includes(c))), ARRIVES, 200);

      // A reload asked of a is announced over pub/sub (subscribed again on the new master) and applied by b.
      const reloadsOf = async (p: NinesProcess) =>
        parseMetrics((await getText(`${p.url}/metrics`)).text)
          .filter((s) => s.name === 'nines_config_reloads_total' && s.labels.outcome === 'success')
          .reduce((n, s) => n + s.value, 0);
      assert.equal(await reloadsOf(b), 0);
      writeFileSync(configPath, configFor(['steady', 'pre', 'during', 'post', 'added']));
      const res = await getJson(`${a.url}/api/v1/config/reload`, { method: 'POST' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await waitFor('b reloaded through the announcement', async () => (await reloadsOf(b)) === 1, 15_000);
      assert.match(b.logs(), /"trigger":"announced by [^"]+".*"msg":"config reloaded"/);
      await waitFor('the added target up on b', async () => (await getJson<{ targets: { key: string; state: string }[] }>(`${b.url}/api/v1/targets`)).body.targets.some((t) => t.key === 'added' && t.state === 'up'), 30_000);

      // Settle: every notification row sent, then two more relay rounds in which nothing new arrives.
      await waitFor('every notification sent', async () => Number((await sql.query(`select count(*) filter (where state <> 'sent') as n from notifications`)).rows[0].n) === 0, ARRIVES, 200);
      const settled = hooks.hits.length;
      await sleep(5000);
      assert.equal(hooks.hits.length, settled, 'nothing arrives late');

      const hits = hooks.hits.filter((h) => h.path === '/hook');
      const ids = hits.map((h) => String(h.headers['webhook-id']));
      const rows = (await sql.query(`select id from notifications where receiver = 'hook'`)).rows.map((r) => String(r.id));
      const perId = countBy(ids);
      const perChange = countBy(hits.flatMap(changesOf));
      console.log(`  webhooks: ${hits.length} requests, ${perId.size} distinct webhook ids, ${rows.length} notification rows; changes: ${[...perChange].map(([c, n]) => `${c}×${n}`).join(', ')}`);
      assert.ok(hits.every((h) => h.signature === 'ok'), 'every webhook signed');
      assert.deepEqual([...perId.values()].filter((n) => n > 1), [], 'no webhook id delivered twice');
      assert.deepEqual([...perId.keys()].sort(), [...rows].sort(), 'every notification row arrived, and only those');
      // Lost: an expected change that never came. Duplicated: the same change twice in a row for
      // one target (distinct ids are checked above). A whole extra firing/resolved round is not a
      // duplicate delivery but a state the replicas really recorded; it has been seen once on a
      // loaded CI machine during the failover (a false alarm, printed, see the session notes).
      for (const c of expected) assert.ok(perChange.get(c), `lost: ${c}`);
      const sequence = new Map<string, string[]>();
      for (const h of hits) for (const c of changesOf(h)) sequence.set(c.split(':')[0], [...(sequence.get(c.split(':')[0]) ?? []), c.split(':')[1]]);
      for (const [t, seq] of sequence) assert.ok(seq.every((x, i) => i === 0 || x !== seq[i - 1]), `duplicated for ${t}: ${seq.join(', ')}`);
      assert.deepEqual(sequence.get('pre')?.slice(-1), ['resolved'], 'pre ends resolved');
      if ([...perChange.values()].some((n) => n > 1)) console.log(`  extra alert rounds (false alarms, not duplicates): ${[...sequence].map(([t, q]) => `${t}: ${q.join(',')}`).join('; ')}`);

      // No restart, and no password in anything the processes wrote.
      for (const p of [a, b]) {
        assert.equal(p.proc.exitCode, null, 'still the same process');
        assert.equal(p.proc.signalCode, null);
        for (const pw of [DATA_PW, SENTINEL_PW]) assert.ok(!p.logs().includes(pw), 'a Redis password in the log');
      }
      const ready = await getJson(`${a.url}/readyz`);
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
    } finally {
      await sql.end().catch(() => undefined);
    }
  });
});
