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

interface Hit {
  proc: number;
  key: string;
  at: number;
}

/**
 * Each replica gets its own copy of the config whose URLs carry the replica's number
 * (/p0/t00, /p1/t00, …): target keys, ticks and claims are the same for all three, and every
 * request says who sent it. A tick run by two replicas is then a fact, not a timing guess.
 */
describe('three replicas share the probing (real processes)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let web: RecordingServer;
  let procs: NinesProcess[] = [];
  // When this test process was starved of CPU, arrival times are late: those requests are not judged.
  const stalls: [number, number][] = [];
  let stallTimer: NodeJS.Timeout | undefined;

  before(async () => {
    const r = new Redis(redisUrlFor('engine-replicas'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('engine-replicas');
    web = await startRecordingServer();
    let last = Date.now();
    stallTimer = setInterval(() => {
      const now = Date.now();
      if (now - last > 150) stalls.push([last, now]);
      last = now;
    }, 20);
    const configFor = (i: number) =>
      writeConfig(`defaults: { interval: 1s, timeout: 700ms }\ntargets:\n${KEYS.map((k) => `  - name: ${k}\n    probe: { kind: http, url: "${web.url}/p${i}/${k}" }`).join('\n')}\n`);
    // The first one migrates; the other two wait on the migration lock, then find nothing to do.
    procs = await Promise.all(
      [0, 1, 2].map((i) => startNinesProcess({ configPath: configFor(i), databaseUrl: db.url, redisUrl: redisUrlFor('engine-replicas'), env: { NINES_LOG_LEVEL: 'info' } })),
    );
  });

  after(async () => {
    clearInterval(stallTimer);
    await Promise.all(procs.map((p) => p.stop()));
    await web?.close();
    await db?.drop();
  });

  const hits = (): Hit[] =>
    web.requests.map((r) => {
      const m = /^\/p(\d)\/(t\d\d)$/.exec(r.path);
      assert.ok(m, `unexpected request ${r.path}`);
      return { proc: Number(m[1]), key: m[2], at: r.at };
    });

  /**
   * Ticks run by two replicas, found without trusting clocks: every probe that reached the
   * server also wrote its row, and probe_results keeps one row per (target, tick). So per
   * target, requests served ≤ rows stored; a tick run twice is a request with no row of its own.
   * Requests of the killed replica in its last seconds are left out (its last batch died with it).
   * Only requests that arrived before `cut` count, against the rows of ticks scheduled before it
   * (called once those rows had time to be flushed).
   */
  async function assertNoTickTwice(cut: number, excludeFrom?: { proc: number; after: number }): Promise<void> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    let rows: Map<string, number>;
    try {
      rows = new Map((await c.query(`select t.key, count(*)::int as n from probe_results r join targets t on t.id = r.target_id where r.scheduled_at < $1 group by t.key`, [new Date(cut)])).rows.map((r) => [r.key as string, r.n as number]));
    } finally {
      await c.end();
    }
    const served = new Map<string, number>();
    for (const h of hits()) {
      if (h.at >= cut) continue;
      if (excludeFrom && h.proc === excludeFrom.proc && h.at >= excludeFrom.after) continue;
      served.set(h.key, (served.get(h.key) ?? 0) + 1);
    }
    const extra = KEYS.filter((k) => (served.get(k) ?? 0) > (rows.get(k) ?? 0)).map((k) => `${k}: ${served.get(k)} requests, ${rows.get(k) ?? 0} ticks`);
    assert.deepEqual(extra, [], `ticks probed more than once: ${extra.join(', ')}`);
  }

  /** Whether timing measurements over [from, to] can be trusted on this machine right now. */
  async function quiet(from: number, to: number, skippedBefore: number, skippedAfter: number): Promise<boolean> {
    if (stalls.some(([a, b]) => b >= from && a <= to)) return false;
    if (skippedAfter > skippedBefore) return false; // a replica fell behind (CPU starved)
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`select count(*)::int as n from probe_results where not success and scheduled_at between $1 and $2`, [new Date(from), new Date(to)]);
      return rows[0].n === 0;
    } finally {
      await c.end();
    }
  }

  /** Keys that got fewer requests than they had ticks in [from, to] (late arrivals allowed). */
  function underProbed(from: number, to: number, keys = KEYS): string[] {
    const all = hits();
    const out: string[] = [];
    for (const key of keys) {
      const first = tickOf(key, from) + 1;
      const last = tickOf(key, to);
      const expected = last - first + 1;
      if (expected <= 0) continue;
      const got = all.filter((h) => h.key === key && h.at >= tickTime(key, first) && h.at < tickTime(key, last) + INTERVAL + 900).length;
      if (got < expected) out.push(`${key}: ${got}/${expected}`);
    }
    return out;
  }

  const probesRun = async (p: NinesProcess) =>
    parseMetrics((await getText(`${p.url}/metrics`)).text)
      .filter((s) => s.name === 'nines_probes_total')
      .reduce((sum, s) => sum + s.value, 0);

  const behind = async (ps: NinesProcess[]) => {
    let n = 0;
    for (const p of ps)
      n += parseMetrics((await getText(`${p.url}/metrics`)).text)
        .filter((x) => x.name === 'nines_probes_skipped_total' && (x.labels.reason === 'behind' || x.labels.reason === 'overlap'))
        .reduce((sum, x) => sum + x.value, 0);
    return n;
  };

  /**
   * Every tick when the machine is quiet. When it is starved (replicas report ticks skipped as
   * behind or overlapping, probes time out), timing says nothing about Nines, so only that no
   * target was dropped altogether.
   */
  async function assertCovered(what: string, from: number, to: number, keys: string[], exact: boolean): Promise<void> {
    if (exact) {
      const missing = underProbed(from, to, keys);
      if (missing.length) assert.fail(`${what}: targets with ticks nobody probed: ${missing.join(', ')}\n${await diagnostics()}`);
      return;
    }
    const all = hits();
    const dropped = keys.filter((key) => !all.some((h) => h.key === key && h.at >= from && h.at <= to + 2000));
    if (dropped.length) assert.fail(`${what}: never probed: ${dropped.join(', ')}\n${await diagnostics()}`);
  }

  /** What the live replicas say about skipped ticks and membership, for a failure message. */
  async function diagnostics(): Promise<string> {
    const out: string[] = [];
    for (const [i, p] of procs.entries()) {
      if (p.proc.exitCode !== null || p.proc.signalCode !== null) continue;
      const skipped = parseMetrics((await getText(`${p.url}/metrics`)).text).filter((x) => x.name === 'nines_probes_skipped_total');
      out.push(`p${i} skipped: ${skipped.map((x) => `${x.labels.reason}=${x.value}`).join(' ')}`);
      out.push(...p.logs().split('\n').filter((l) => /membership|heartbeat|claim/.test(l)).map((l) => `p${i} ${l.slice(0, 300)}`));
    }
    return out.join('\n');
  }

  let victimKeys: string[] = [];

  it('every target gets exactly one request per tick, and the work is spread over the three', async (t) => {
    // Wait until every replica sees all three probers (heartbeats every 2s).
    await waitFor('all replicas see three probers', () => procs.every((p) => /"probers":\[("[^"]+",?){3}\]/.test(p.logs())), 10_000);
    await sleep(1000);
    const before = await Promise.all(procs.map(probesRun));
    const skipped0 = await behind(procs);
    const t0 = Date.now();
    await sleep(8000);
    const t1 = Date.now();
    const afterCounts = await Promise.all(procs.map(probesRun));
    const skipped1 = await behind(procs);
    await sleep(1500); // let the last batch reach the database
    await assertNoTickTwice(t1);
    const exact = await quiet(t0, t1, skipped0, skipped1);
    if (!exact) t.diagnostic(`machine starved during the window: timing checks relaxed\n${await diagnostics()}`);
    await assertCovered('steady state', t0, t1 - INTERVAL, KEYS, exact);
    const perProcess = afterCounts.map((n, i) => n - before[i]);
    for (const n of perProcess) assert.ok(n > 0, `a replica ran no probes: ${perProcess.join(', ')}`);
    // (No bound on the total from these counters: a slow /metrics answer stretches the window.
    // Exactness is what the stored ticks above say.)
    // Each target has one owner in steady state.
    const window = hits().filter((h) => h.at >= t0 + 1000 && h.at < t1);
    if (exact) for (const key of KEYS) assert.equal(new Set(window.filter((h) => h.key === key).map((h) => h.proc)).size, 1, `${key} probed by several replicas in steady state`);
  });

  let sinceBeforeKill = new Map<string, string>();
  let sinceAfterKill = new Map<string, string>();
  let snapshotAt = 0;
  const sinces = async (p: NinesProcess) => {
    const r = await getJson<{ targets: { key: string; since: string }[] }>(`${p.url}/api/v1/targets`);
    return new Map(r.body.targets.map((t) => [t.key, t.since]));
  };

  it('kill -9 of one replica: its targets are taken over within the membership TTL, and no tick runs twice', async (t) => {
    const victim = procs[2];
    // Its targets: what it probed in the last seconds (owners are stable by now).
    const recent = Date.now() - 3000;
    victimKeys = KEYS.filter((k) => hits().some((h) => h.key === k && h.proc === 2 && h.at >= recent));
    assert.ok(victimKeys.length > 0 && victimKeys.length < N, `victim's targets: ${victimKeys.join(', ')}`);
    sinceBeforeKill = await sinces(procs[0]);
    snapshotAt = Date.now();
    const skipped2 = await behind(procs.slice(0, 2));
    const t2 = Date.now();
    victim.proc.kill('SIGKILL');
    await once(victim.proc, 'exit');
    await sleep(14_000);
    const t3 = Date.now();
    const skipped3 = await behind(procs.slice(0, 2));
    await sleep(1500);
    await assertNoTickTwice(t3, { proc: 2, after: t2 - 3000 });
    const exact = await quiet(t2, t3, skipped2, skipped3);
    if (!exact) t.diagnostic(`machine starved during the window: timing checks relaxed\n${await diagnostics()}`);
    const all = hits();
    assert.ok(!all.some((h) => h.proc === 2 && h.at > t2 + 2000), 'the killed replica still probing?');
    // The victim's targets come back within TTL (6s) + heartbeat (2s), on a survivor.
    for (const key of victimKeys) {
      const back = all.find((h) => h.key === key && h.at > t2 && h.proc !== 2);
      assert.ok(back, `${key} was never taken over`);
      if (exact) assert.ok(back.at - t2 <= 9_500, `${key} taken over after ${back.at - t2}ms`);
    }
    // The others never noticed: no gap at all.
    const others = KEYS.filter((k) => !victimKeys.includes(k));
    await assertCovered('survivors\' own targets across the kill', t2, t3 - INTERVAL, others, exact);
    // After the takeover, everything is probed every tick again.
    await assertCovered('10s after the kill', t2 + 10_000, t3 - INTERVAL, KEYS, exact);
    for (const p of procs.slice(0, 2)) assert.match(p.logs(), /"probers":\[("[^"]+",?){2}\].*"msg":"prober membership changed"/);
  });

  it('a target taken over keeps its `since` in the API', async (t) => {
    assert.equal(sinceBeforeKill.size, N);
    sinceAfterKill = await sinces(procs[0]);
    // A probe that really failed on this loaded machine (a timeout) is a real change of state.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const flapped = new Set(
      (await c.query(`select distinct t.key from probe_results r join targets t on t.id = r.target_id where not r.success and r.scheduled_at >= $1`, [new Date(snapshotAt - 2000)])).rows.map(
        (r) => r.key as string,
      ),
    );
    await c.end();
    if (flapped.size > N / 3) {
      t.skip(`machine too loaded to judge: ${flapped.size} targets had failed probes (timeouts)`);
      return;
    }
    const moved = [...sinceBeforeKill].filter(([k, v]) => !flapped.has(k) && sinceAfterKill.get(k) !== v);
    assert.deepEqual(moved.map(([k, v]) => `${k}: ${v} → ${sinceAfterKill.get(k)}`), [], `since changed for ${moved.length} targets`);
  });
});
