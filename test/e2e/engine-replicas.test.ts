import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { Client } from 'pg';
import { computeOffsets } from '../../libs/probes/src/schedule';
import { freshDatabase, redisUrlFor } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { getJson, getText, parseMetrics, RecordingServer, sleep, startRecordingServer, waitFor } from '../support/wait';

const N = 30;
const INTERVAL = 1000;
const KEYS = Array.from({ length: N }, (_, i) => `t${String(i).padStart(2, '0')}`);
// Ticks are a pure function of the config (see schedule.ts), so the test can name the tick
// each request belongs to.
const OFFSETS = computeOffsets(KEYS.map((key) => ({ key, intervalMs: INTERVAL })));
const tickOf = (key: string, at: number) => Math.floor((at - OFFSETS.get(key)!) / INTERVAL);
const tickTime = (key: string, k: number) => k * INTERVAL + OFFSETS.get(key)!;

describe('three replicas share the probing (real processes)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let web: RecordingServer;
  let procs: NinesProcess[] = [];

  before(async () => {
    const r = new Redis(redisUrlFor('engine-replicas'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('engine-replicas');
    web = await startRecordingServer();
    const config = writeConfig(`defaults: { interval: 1s, timeout: 500ms }\ntargets:\n${KEYS.map((k) => `  - name: ${k}\n    probe: { kind: http, url: "${web.url}/${k}" }`).join('\n')}\n`);
    // The first one migrates; the other two find nothing to do (and would wait on the lock anyway).
    procs = await Promise.all([1, 2, 3].map(() => startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: redisUrlFor('engine-replicas'), env: { NINES_LOG_LEVEL: 'info' } })));
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await web?.close();
    await db?.drop();
  });

  /** (target, tick) → number of requests, for requests that arrived in [from, to). */
  function countsBetween(from: number, to: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of web.requests) {
      if (r.at < from || r.at >= to) continue;
      const key = r.path.slice(1);
      const id = `${key}@${tickOf(key, r.at)}`;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  function assertNoTickTwice(): void {
    const dup = [...countsBetween(0, Infinity)].filter(([, n]) => n > 1);
    // Say how late each copy came: a copy long after its tick points at claim expiry.
    const lateness = (id: string) => {
      const [key, k] = id.split('@');
      return web.requests.filter((r) => r.path === `/${key}` && tickOf(key, r.at) === Number(k)).map((r) => `+${r.at - tickTime(key, Number(k))}ms`).join('/');
    };
    assert.deepEqual(dup, [], `ticks probed more than once: ${dup.slice(0, 10).map(([id, n]) => `${id}×${n} (${lateness(id)})`).join(', ')}`);
  }

  /** Ticks whose scheduled time lies in [from, to - interval] must each have exactly one request. */
  function missingTicks(from: number, to: number, keys = KEYS): string[] {
    const counts = countsBetween(from, to + INTERVAL);
    const missing: string[] = [];
    for (const key of keys) {
      for (let k = tickOf(key, from) + 1; tickTime(key, k) <= to - INTERVAL; k++) if (!counts.get(`${key}@${k}`)) missing.push(`${key}@${new Date(tickTime(key, k)).toISOString().slice(17, 23)}`);
    }
    return missing;
  }

  const probesRun = async (p: NinesProcess) =>
    parseMetrics((await getText(`${p.url}/metrics`)).text)
      .filter((s) => s.name === 'nines_probes_total')
      .reduce((sum, s) => sum + s.value, 0);

  it('every target gets exactly one request per tick, and the work is spread over the three', async () => {
    // Wait until every replica sees all three probers (heartbeats every 2s).
    await waitFor('all replicas see three probers', () => procs.every((p) => /"probers":\[("[^"]+",?){3}\]/.test(p.logs())), 10_000);
    await sleep(1000);
    const before = await Promise.all(procs.map(probesRun));
    const t0 = Date.now();
    await sleep(8000);
    const t1 = Date.now();
    const afterCounts = await Promise.all(procs.map(probesRun));
    assertNoTickTwice();
    const missing = missingTicks(t0, t1);
    assert.deepEqual(missing, [], `ticks not probed by anyone: ${missing.slice(0, 20).join(', ')}`);
    const perProcess = afterCounts.map((n, i) => n - before[i]);
    for (const n of perProcess) assert.ok(n > 0, `a replica ran no probes: ${perProcess.join(', ')}`);
    const total = perProcess.reduce((a, b) => a + b, 0);
    // ~8 ticks × 30 targets, each run once.
    assert.ok(total >= 7 * N && total <= 9 * N, `probes in 8s: ${total} (${perProcess.join(', ')})`);
  });

  let sinceBeforeKill = new Map<string, string>();
  let sinceAfterKill = new Map<string, string>();
  let snapshotAt = 0;
  const sinces = async (p: NinesProcess) => {
    const r = await getJson<{ targets: { key: string; since: string }[] }>(`${p.url}/api/v1/targets`);
    return new Map(r.body.targets.map((t) => [t.key, t.since]));
  };

  it('kill -9 of one replica: its targets are taken over within the membership TTL, and no tick runs twice', async () => {
    const victim = procs[2];
    sinceBeforeKill = await sinces(procs[0]);
    snapshotAt = Date.now();
    const t2 = Date.now();
    victim.proc.kill('SIGKILL');
    await once(victim.proc, 'exit');
    await sleep(14_000);
    const t3 = Date.now();
    assertNoTickTwice();
    // After the takeover window, everything is probed again, every tick.
    const lateMissing = missingTicks(t2 + 9_000, t3);
    assert.deepEqual(lateMissing, [], `not taken over 9s after the kill: ${lateMissing.slice(0, 20).join(', ')}`);
    // The gap any target saw is bounded by TTL (6s) + heartbeat (2s).
    const missing = missingTicks(t2, t3);
    const perTarget = new Map<string, number>();
    for (const m of missing) perTarget.set(m.split('@')[0], (perTarget.get(m.split('@')[0]) ?? 0) + 1);
    const worst = Math.max(0, ...perTarget.values());
    assert.ok(worst <= 9, `a target missed ${worst} ticks`);
    assert.ok(perTarget.size > 0 && perTarget.size < N, `the victim's targets (and only those) had a gap: ${[...perTarget.keys()].join(', ')}`);
    for (const p of procs.slice(0, 2)) assert.match(p.logs(), /"probers":\[("[^"]+",?){2}\].*"msg":"prober membership changed"/);
    sinceAfterKill = await sinces(procs[0]);
  });

  it('a target taken over keeps its `since` in the API', async () => {
    assert.equal(sinceBeforeKill.size, N);
    // A probe that really failed on this loaded machine (a timeout) is a real change of state.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const flapped = new Set(
      (await c.query(`select distinct t.key from probe_results r join targets t on t.id = r.target_id where not r.success and r.scheduled_at >= $1`, [new Date(snapshotAt - 2000)])).rows.map((r) => r.key as string),
    );
    await c.end();
    assert.ok(flapped.size <= 3, `too many failed probes to judge: ${[...flapped].join(', ')}`);
    const moved = [...sinceBeforeKill].filter(([k, v]) => !flapped.has(k) && sinceAfterKill.get(k) !== v);
    assert.deepEqual(moved.map(([k, v]) => `${k}: ${v} → ${sinceAfterKill.get(k)}`), [], `since changed for ${moved.length} targets`);
  });
});
