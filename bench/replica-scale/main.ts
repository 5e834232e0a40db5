import { ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { formatDuration, parseDuration } from '../../libs/common/src/duration';
import { freshDatabase } from '../../test/support/env';
import { startNinesProcess, type NinesProcess } from '../../test/support/nines-process';
import { startRedis, type RedisNode } from '../../test/support/servers/redis-ha';
import { tempDir } from '../../test/support/servers/spawned';
import { ownerOf } from '../../libs/probes/src/schedule';
import { cpuTimes, loadAverage, machineCpu, memoryMb } from '../probe-throughput/proc';
import { cpuDelta, cpuOfMatching, cpuSeconds } from '../time-to-notify/stats';
import {
  bucketDelta,
  coverage,
  gapSummary,
  histogramBuckets,
  histogramQuantile,
  mergeMax,
  mergeOwners,
  perThousand,
  ratio,
  samplesOf,
  sumOf,
  takeoverGaps,
  type Sample,
} from './figures';

/**
 * bench/replica-scale (issue 16's scale figures): real `nines start` processes on one fresh
 * PostgreSQL database and one Redis of the bench's own, probing local HTTP targets.
 *
 *   A: R replicas (every role on each: api,prober,worker) share N targets;
 *   B: one process alone with N/R targets, the same probes per second as one A replica;
 *   C: in A, one replica is killed with SIGKILL and every target it owned is timed until a
 *      survivor probes it again (goal: all within two intervals).
 *
 *   node dist/bench/replica-scale/main.js [--targets 30000] [--replicas 3] [--single-targets N/R]
 *     [--interval 10s] [--duration 60s] [--warmup 20s] [--only a,b,c] [--servers 2] [--ports 4] [--out FILE]
 *
 * Per process: probes/s and scheduling lag from its own /metrics (nines_probes_total,
 * nines_probe_queue_lag_seconds), CPU from /proc/<pid>/stat, peak RSS from VmHWM. The target
 * servers record every request by replica and target (bench/replica-scale/targets.ts), which
 * gives coverage (no target unowned) and the takeover times without trusting Nines' account.
 */
const GOAL_TAKEOVER_INTERVALS = 2;
const TIMEOUT = '3s';

interface Options {
  targets: number;
  replicas: number;
  singleTargets: number;
  intervalMs: number;
  durationMs: number;
  warmupMs: number;
  only: Set<'a' | 'b' | 'c'>;
  servers: number;
  portsPerServer: number;
  out?: string;
}

const root = resolve(__dirname, '../../..');

function parseOptions(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--no-json') flags.set('no-json', '1');
    else flags.set(a.slice(2), argv[++i] ?? '');
  }
  const known = ['targets', 'replicas', 'single-targets', 'interval', 'duration', 'warmup', 'only', 'servers', 'ports', 'out', 'no-json'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => '--' + x).join(' ')})`);
  const duration = (flag: string, def: string) => {
    const v = flags.get(flag) ?? def;
    const ms = parseDuration(v);
    if (!ms) throw new Error(`--${flag} ${v} is not a duration (e.g. 10s, 1m)`);
    return ms;
  };
  const int = (flag: string, def: number) => {
    const n = Number(flags.get(flag) ?? def);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer`);
    return n;
  };
  const targets = int('targets', 30_000);
  const replicas = int('replicas', 3);
  if (replicas < 2) throw new Error('--replicas must be at least 2 (one is killed in scenario C)');
  const only = new Set((flags.get('only') ?? 'a,b,c').split(',').map((s) => s.trim().toLowerCase()));
  for (const s of only) if (!['a', 'b', 'c'].includes(s)) throw new Error('--only takes a comma list of a, b, c');
  if (only.has('c')) only.add('a'); // the takeover happens in A's replica set
  return {
    targets,
    replicas,
    singleTargets: int('single-targets', Math.round(targets / replicas)),
    intervalMs: duration('interval', '10s'),
    durationMs: duration('duration', '60s'),
    warmupMs: duration('warmup', '20s'),
    only: only as Options['only'],
    servers: int('servers', 2),
    portsPerServer: int('ports', 4),
    out: flags.has('no-json') ? undefined : resolve(flags.get('out') ?? join(root, 'bench/results/replica-scale.json')),
  };
}

// ---- children: every one is tracked and killed when we exit ----

const forked: ChildProcess[] = [];
const nines: NinesProcess[] = [];
let redisNode: RedisNode | undefined;

function killAll(): void {
  for (const c of forked) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const n of nines) if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGKILL');
  if (redisNode && redisNode.proc.child.exitCode === null) redisNode.proc.child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function request<T>(child: ChildProcess, msg: { type: string } & Record<string, unknown>, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${msg.type} reply from child ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { type: string }) => m.type === msg.type && done(undefined, m as T);
    const onExit = (code: number | null) => done(new Error(`child ${child.pid} exited (${code}) before replying to ${msg.type}`));
    function done(err?: Error, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolvePromise(value!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(msg);
  });
}

// ---- target servers ----

class Targets {
  constructor(
    readonly procs: ChildProcess[],
    readonly ports: number[],
  ) {}

  static async start(opts: Options, boundMs: number): Promise<Targets> {
    const procs: ChildProcess[] = [];
    const ports: number[] = [];
    for (let i = 0; i < opts.servers; i++) {
      const c = fork(join(__dirname, 'targets.js'), [], {
        env: { ...process.env, BENCH_PORTS: String(opts.portsPerServer), BENCH_MAX_MS: String(boundMs) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      forked.push(c);
      procs.push(c);
      const ready = await new Promise<{ ports: number[] }>((res, rej) => {
        c.once('message', (m: { type: string; ports: number[] }) => (m.type === 'ready' ? res(m) : rej(new Error(`unexpected ${m.type}`))));
        c.once('exit', (code) => rej(new Error(`target server exited (${code})`)));
      });
      ports.push(...ready.ports);
    }
    return new Targets(procs, ports);
  }

  /** The URL replica r probes for target i: the path names both. */
  url(r: number, i: number): string {
    return `http://127.0.0.1:${this.ports[i % this.ports.length]}/p${r}/t${i}`;
  }

  pids(): number[] {
    return this.procs.map((p) => p.pid!);
  }

  async all<T>(msg: { type: string } & Record<string, unknown>): Promise<T[]> {
    return Promise.all(this.procs.map((p) => request<T>(p, msg)));
  }
}

// ---- Nines processes ----

function configYaml(targets: Targets, replica: number, n: number, intervalMs: number): string {
  const lines = [`defaults: { interval: ${formatDuration(intervalMs)}, timeout: ${TIMEOUT} }`, 'targets:'];
  for (let i = 0; i < n; i++) lines.push(`  - { name: t${i}, probe: { kind: http, url: "${targets.url(replica, i)}" } }`);
  return lines.join('\n') + '\n';
}

async function scrape(p: NinesProcess): Promise<{ samples: Sample[]; at: number; bytes: number; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(`${p.url}/metrics`);
  const text = await res.text();
  const t1 = Date.now();
  const samples = samplesOf(text, ['nines_probes_total', 'nines_probes_failed_total', 'nines_probes_skipped_total', 'nines_probe_queue_lag_seconds_bucket', 'nines_results_dropped_total', 'nines_result_write_failures_total', 'nines_result_rows_written_total', 'nines_probes_in_flight', 'nodejs_eventloop_lag_p99_seconds']);
  return { samples, at: (t0 + t1) / 2, bytes: text.length, ms: t1 - t0 };
}

/** A line of the process's log, parsed, with its time (pino isoTime). */
function logLines(p: NinesProcess, from = 0): { time: number; msg: string; obj: Record<string, unknown> }[] {
  const out: { time: number; msg: string; obj: Record<string, unknown> }[] = [];
  for (const line of p.logs().slice(from).split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      out.push({ time: Date.parse(String(obj.time)), msg: String(obj.msg), obj });
    } catch {
      /* a partial line */
    }
  }
  return out;
}

interface ProcessFigures {
  name: string;
  pid: number;
  targetsConfigured: number;
  probes: number;
  probesPerSec: number;
  probesSeenByTargets: number;
  failures: number;
  skipped: Record<string, number>;
  cpuSeconds: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  cpuCores: number;
  cpuSecondsPer1000: number;
  peakRssMb: number;
  sampledRssMaxMb: number;
  rssMbAtEnd: number;
  lagMs: { p50: number; p99: number; note: string };
  resultsDropped: number;
  writeFailures: number;
  metricsScrape: { bytes: number; ms: number };
  /** At the end of the window: probes holding a slot of the engine's semaphore (1,024 by default), and Node's event-loop delay p99. */
  inFlightAtEnd: number;
  eventLoopLagP99Ms: number;
}

interface Window {
  targets: number;
  seconds: number;
  processes: ProcessFigures[];
  coverage: ReturnType<typeof coverage> & { unownedSample: number[] };
  apiCheck?: { targets: number; freshWithin: string; fresh: number; stale: number; ms: number } | { error: string; ms: number };
  postgresBackendCpuSeconds: number;
  postgresBackendCpuPer1000: number;
  redisCpuSeconds: number;
  targetServersCpuSeconds: number;
  machineBusyCores: number;
  loadAverageBefore: string;
  loadAverageAfter: string;
  strangeRequests: number;
}

/**
 * One measured window over `procs`: /metrics scraped at both ends (outside the CPU window, so
 * rendering tens of MB of per-target series is not counted as probing), CPU and memory from
 * /proc, requests from the target servers, RSS sampled every 2 s.
 */
async function measure(label: string, opts: Options, procs: NinesProcess[], names: string[], targets: Targets, n: number, dbName: string, redisPid: number): Promise<Window> {
  console.log(`  ${label}: warming up for ${formatDuration(opts.warmupMs)}…`);
  await sleep(opts.warmupMs);
  const pgRe = new RegExp(`^postgres: .* ${dbName} `);
  const before = await Promise.all(procs.map(scrape));
  await targets.all({ type: 'mark' });
  const loadBefore = loadAverage();
  const t0 = performance.now();
  const cpu0 = procs.map((p) => cpuTimes(p.proc.pid!));
  const pg0 = cpuOfMatching(pgRe);
  const redis0 = cpuSeconds(redisPid);
  const servers0 = targets.pids().reduce((s, p) => s + cpuSeconds(p), 0);
  const m0 = machineCpu();
  const rssMax = procs.map(() => 0);
  const step = 2000;
  let lastPrint = 0;
  for (let done = 0; done < opts.durationMs; done += step) {
    await sleep(Math.min(step, opts.durationMs - done));
    procs.forEach((p, i) => (rssMax[i] = Math.max(rssMax[i], memoryMb(p.proc.pid!).rssMb)));
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed - lastPrint >= 10 || done + step >= opts.durationMs) {
      lastPrint = elapsed;
      const cores = procs.map((p, i) => {
        const c = cpuTimes(p.proc.pid!);
        return `${(((c.user + c.system - cpu0[i].user - cpu0[i].system) / elapsed) * 100).toFixed(0)}%`;
      });
      console.log(`  ${label}: ${Math.round(elapsed)}/${Math.round(opts.durationMs / 1000)} s, CPU ${cores.join(' ')} of a core, load ${loadAverage()}`);
    }
  }
  const cpu1 = procs.map((p) => cpuTimes(p.proc.pid!));
  const pg1 = cpuOfMatching(pgRe);
  const redis1 = cpuSeconds(redisPid);
  const servers1 = targets.pids().reduce((s, p) => s + cpuSeconds(p), 0);
  const m1 = machineCpu();
  const seconds = (performance.now() - t0) / 1000;
  const windows = await targets.all<{ hits: number[][]; strange: number }>({ type: 'window' });
  const after = await Promise.all(procs.map(scrape));
  const loadAfter = loadAverage();

  const hits = procs.map((_, r) => mergeMax(windows.map((w) => w.hits[r]), n));
  const cov = coverage(hits, n);
  const figures: ProcessFigures[] = procs.map((p, i) => {
    const a = before[i].samples;
    const b = after[i].samples;
    const d = (name: string, where?: Record<string, string>) => sumOf(b, name, where) - sumOf(a, name, where);
    // The counters span scrape to scrape; the CPU window sits inside it, so the rate is per second of that span.
    const span = (after[i].at - before[i].at) / 1000;
    const probes = d('nines_probes_total');
    const rate = probes / span;
    const cpu = cpu1[i].user + cpu1[i].system - cpu0[i].user - cpu0[i].system;
    const lag = bucketDelta(histogramBuckets(a, 'nines_probe_queue_lag_seconds'), histogramBuckets(b, 'nines_probe_queue_lag_seconds'));
    const mem = memoryMb(p.proc.pid!);
    return {
      name: names[i],
      pid: p.proc.pid!,
      targetsConfigured: n,
      probes,
      probesPerSec: rate,
      probesSeenByTargets: cov.perReplica[i],
      failures: d('nines_probes_failed_total'),
      skipped: Object.fromEntries(['overlap', 'behind', 'claimed_elsewhere'].map((reason) => [reason, d('nines_probes_skipped_total', { reason })])),
      cpuSeconds: cpu,
      cpuUserSeconds: cpu1[i].user - cpu0[i].user,
      cpuSystemSeconds: cpu1[i].system - cpu0[i].system,
      cpuCores: cpu / seconds,
      cpuSecondsPer1000: perThousand(cpu, rate * seconds),
      peakRssMb: mem.peakRssMb,
      sampledRssMaxMb: rssMax[i],
      rssMbAtEnd: mem.rssMb,
      lagMs: { p50: histogramQuantile(0.5, lag) * 1000, p99: histogramQuantile(0.99, lag) * 1000, note: 'interpolated within nines_probe_queue_lag_seconds buckets (1, 5, 10, 25, 50, 100, 250 ms, …)' },
      resultsDropped: d('nines_results_dropped_total'),
      writeFailures: d('nines_result_write_failures_total'),
      metricsScrape: { bytes: after[i].bytes, ms: after[i].ms },
      inFlightAtEnd: sumOf(b, 'nines_probes_in_flight'),
      eventLoopLagP99Ms: sumOf(b, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    };
  });
  const totalProbes = figures.reduce((s, f) => s + f.probesPerSec * seconds, 0);
  const pgCpu = cpuDelta(pg0, pg1);
  return {
    targets: n,
    seconds,
    processes: figures,
    coverage: { ...cov, unownedSample: cov.unowned.slice(0, 20), unowned: [] },
    postgresBackendCpuSeconds: pgCpu,
    postgresBackendCpuPer1000: perThousand(pgCpu, totalProbes),
    redisCpuSeconds: redis1 - redis0,
    targetServersCpuSeconds: servers1 - servers0,
    machineBusyCores: (m1.busy - m0.busy) / seconds,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAfter,
    strangeRequests: windows.reduce((s, w) => s + w.strange, 0),
  };
}

/** The API's own account: every target's last scheduled probe, from the shared target_state rows. */
async function apiCheck(p: NinesProcess, n: number, intervalMs: number): Promise<Window['apiCheck']> {
  const t0 = Date.now();
  try {
    const res = await fetch(`${p.url}/api/v1/targets`, { signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    const body = JSON.parse(text) as { targets?: { key: string; last_result: { at: string } | null }[] };
    if (!Array.isArray(body.targets)) return { error: `HTTP ${res.status}: ${text.slice(0, 300)}`, ms: Date.now() - t0 };
    const now = Date.now();
    const limit = 2 * intervalMs + parseDuration(TIMEOUT)!;
    let fresh = 0;
    for (const t of body.targets) if (t.last_result && now - Date.parse(t.last_result.at) <= limit) fresh += 1;
    return { targets: body.targets.length, freshWithin: formatDuration(limit), fresh, stale: n - fresh, ms: now - t0 };
  } catch (err) {
    return { error: (err as Error).message, ms: Date.now() - t0 };
  }
}

async function startReplicas(opts: Options, targets: Targets, count: number, n: number, dbName: string, redisUrl: string, dir: string): Promise<{ procs: NinesProcess[]; db: Awaited<ReturnType<typeof freshDatabase>>; names: string[] }> {
  const db = await freshDatabase(dbName);
  const flush = new Redis(redisUrl);
  await flush.flushall();
  flush.disconnect();
  await targets.all({ type: 'reset', replicas: count, targets: n });
  const names = Array.from({ length: count }, (_, r) => (count === 1 ? 'single' : `replica-${r}`));
  const started = Date.now();
  // Started together, as a rolling deploy would not: the first migrates, the others wait on the lock.
  const procs = await Promise.all(
    names.map((name, r) => {
      const configPath = join(dir, `${dbName}-${r}.yaml`);
      writeFileSync(configPath, configYaml(targets, r, n, opts.intervalMs));
      return startNinesProcess({
        configPath,
        databaseUrl: db.url,
        redisUrl,
        roles: 'api,prober,worker',
        env: { NINES_LOG_LEVEL: 'info', NINES_INSTANCE_ID: name },
        readyTimeoutMs: 180_000,
      });
    }),
  );
  nines.push(...procs);
  console.log(`  ${count} process${count > 1 ? 'es' : ''} listening after ${((Date.now() - started) / 1000).toFixed(1)} s (pids ${procs.map((p) => p.proc.pid).join(', ')})`);
  if (count > 1) {
    const deadline = Date.now() + 30_000;
    const sees = (p: NinesProcess) => {
      const changes = logLines(p).filter((l) => l.msg === 'prober membership changed');
      return (changes[changes.length - 1]?.obj.probers as string[] | undefined)?.length === count;
    };
    while (!procs.every(sees)) {
      if (Date.now() > deadline) throw new Error('the replicas did not all see each other within 30 s');
      await sleep(200);
    }
    console.log('  every replica sees all probers');
  }
  return { procs, db, names };
}

async function stopAll(procs: NinesProcess[]): Promise<void> {
  await Promise.all(procs.map((p) => p.stop()));
}

// ---- takeover (scenario C) ----

interface Takeover {
  victim: string;
  killedAt: string;
  /** Targets the ring gave the victim (rendezvous hashing over the three instance ids, as Nines computes it). */
  ownedTargets: number;
  /** Of those, how many the victim was also the last to probe before the kill (the target servers' view). */
  ownedAndLastProbedByVictim: number;
  gapsMs: ReturnType<typeof gapSummary>;
  goalMs: number;
  result: 'PASS' | 'MISS';
  /** When each survivor logged the ring without the victim (heartbeat TTL), ms after the kill. */
  membershipChangedAfterMs: (number | null)[];
  survivorsDuring: { name: string; cpuCores: number; probesPerSec: number }[];
  loadAverage: string;
}

async function takeover(opts: Options, procs: NinesProcess[], names: string[], targets: Targets, n: number): Promise<Takeover> {
  const victim = procs.length - 1;
  const survivors = procs.filter((_, i) => i !== victim);
  const logFrom = survivors.map((p) => p.logs().length);
  const before = await Promise.all(survivors.map(scrape));
  const cpu0 = survivors.map((p) => cpuSeconds(p.proc.pid!));
  const killedAt = Date.now();
  procs[victim].proc.kill('SIGKILL');
  await targets.all({ type: 'arm', victim, at: killedAt });
  console.log(`  C: killed ${names[victim]} (pid ${procs[victim].proc.pid}) with SIGKILL; waiting for its targets to be probed by the others…`);
  const goalMs = GOAL_TAKEOVER_INTERVALS * opts.intervalMs;
  // Who owned what: the ring itself (an overloaded owner skips ticks, so "last to probe" can be
  // a replica that probed the target once at start-up, before the ring formed).
  const ringOwner = Array.from({ length: n }, (_, i) => names.indexOf(ownerOf(`target:t${i}`, names)!));
  let lastProber: number[] = [];
  const limit = killedAt + 3 * opts.intervalMs + 10_000;
  let gaps: number[] = [];
  for (;;) {
    await sleep(2000);
    const replies = await targets.all<{ owner: number[]; firstAfter: number[] }>({ type: 'takeover' });
    lastProber = mergeOwners(replies.map((r) => r.owner), n);
    gaps = takeoverGaps(ringOwner, mergeMax(replies.map((r) => r.firstAfter), n), victim, killedAt);
    const left = gaps.filter((g) => g === Infinity).length;
    const elapsed = Date.now() - killedAt;
    console.log(`  C: ${(elapsed / 1000).toFixed(0)} s after the kill: ${gaps.length - left}/${gaps.length} of its targets probed again`);
    if (!left || Date.now() > limit) break;
  }
  const seconds = (Date.now() - killedAt) / 1000;
  const after = await Promise.all(survivors.map(scrape));
  const membershipChangedAfterMs = survivors.map((p, i) => {
    const change = logLines(p, logFrom[i]).find((l) => l.msg === 'prober membership changed' && !(l.obj.probers as string[]).includes(names[victim]));
    return change ? change.time - killedAt : null;
  });
  const summary = gapSummary(gaps, goalMs);
  return {
    victim: names[victim],
    killedAt: new Date(killedAt).toISOString(),
    ownedTargets: gaps.length,
    ownedAndLastProbedByVictim: ringOwner.filter((o, i) => o === victim && lastProber[i] === victim).length,
    gapsMs: summary,
    goalMs,
    result: summary.n > 0 && summary.within === summary.n ? 'PASS' : 'MISS',
    membershipChangedAfterMs,
    survivorsDuring: survivors.map((p, i) => ({
      name: names[i],
      cpuCores: (cpuSeconds(p.proc.pid!) - cpu0[i]) / seconds,
      probesPerSec: (sumOf(after[i].samples, 'nines_probes_total') - sumOf(before[i].samples, 'nines_probes_total')) / ((after[i].at - before[i].at) / 1000),
    })),
    loadAverage: loadAverage(),
  };
}

// ---- report ----

const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? (x === Infinity ? '∞' : 'n/a') : x.toFixed(d));
const thousands = (x: number) => Math.round(x).toLocaleString('en-US');

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)) + 2);
  console.log(head.map((h, c) => h.padEnd(widths[c])).join('').trimEnd());
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('').trimEnd());
}

function printFigures(opts: Options, a?: Window, b?: Window, c?: Takeover): void {
  console.log('');
  const procRows: string[][] = [];
  const row = (scenario: string, w: Window, p: ProcessFigures) => [
    scenario,
    p.name,
    thousands(p.targetsConfigured),
    f(p.probesPerSec),
    thousands(p.probesSeenByTargets / w.seconds),
    `${f(p.cpuSecondsPer1000, 3)} (${f(perThousand(p.cpuUserSeconds, p.probesPerSec * w.seconds), 3)}+${f(perThousand(p.cpuSystemSeconds, p.probesPerSec * w.seconds), 3)})`,
    `${f(p.cpuCores * 100, 0)}%`,
    `${f(p.peakRssMb, 0)} / ${f(p.sampledRssMaxMb, 0)}`,
    `${f(p.lagMs.p50, 0)} / ${f(p.lagMs.p99, 0)}`,
    `${p.skipped.behind}/${p.skipped.overlap}/${p.skipped.claimed_elsewhere}`,
    String(p.failures),
    `${p.inFlightAtEnd} / ${f(p.eventLoopLagP99Ms, 0)}`,
  ];
  if (a) for (const p of a.processes) procRows.push(row('A', a, p));
  if (b) for (const p of b.processes) procRows.push(row('B', b, p));
  table(['', 'process', 'targets', 'probes/s (metrics)', 'req/s (targets)', 'CPU s/1000 probes (user+sys)', 'core', 'RSS MB peak / window max', 'lag p50/p99 ms', 'skipped behind/overlap/claimed', 'failed', 'in flight / loop lag p99 ms'], procRows);

  for (const [name, w] of [['A', a], ['B', b]] as const) {
    if (!w) continue;
    const total = w.processes.reduce((s, p) => s + p.probesPerSec, 0);
    console.log(
      `${name}: ${f(w.seconds, 0)} s window, ${f(total)} probes/s in all; coverage ${thousands(w.coverage.covered)}/${thousands(w.targets)} targets probed` +
        ` (requests per target ${w.coverage.perTargetMin}–${w.coverage.perTargetMax}, ${w.coverage.shared} probed by more than one process)` +
        (!w.apiCheck
          ? ''
          : 'error' in w.apiCheck
            ? `; API /api/v1/targets failed after ${w.apiCheck.ms} ms: ${w.apiCheck.error}`
            : `; API /api/v1/targets (${w.apiCheck.ms} ms): ${thousands(w.apiCheck.fresh)}/${thousands(w.apiCheck.targets)} with a last result within ${w.apiCheck.freshWithin}`),
    );
    console.log(
      `   PostgreSQL backends ${f(w.postgresBackendCpuSeconds / w.seconds * 100, 0)}% of a core (${f(w.postgresBackendCpuPer1000, 3)} s per 1,000 probes), Redis ${f(w.redisCpuSeconds / w.seconds * 100, 0)}%, target servers ${f(w.targetServersCpuSeconds / w.seconds * 100, 0)}%;` +
        ` machine busy ${f(w.machineBusyCores, 2)} of ${os.cpus().length} cores; load average ${w.loadAverageBefore} → ${w.loadAverageAfter}`,
    );
    if (w.coverage.unownedSample.length) console.log(`   never probed in the window (first ${w.coverage.unownedSample.length}): ${w.coverage.unownedSample.map((i) => `t${i}`).join(', ')}`);
  }
  if (a && b) {
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
    const cpuA = med(a.processes.map((p) => p.cpuSecondsPer1000));
    const rssA = med(a.processes.map((p) => p.peakRssMb));
    const single = b.processes[0];
    console.log('');
    table(
      ['', 'A per replica (median)', 'B single', 'A ÷ B'],
      [
        ['probes/s', f(med(a.processes.map((p) => p.probesPerSec))), f(single.probesPerSec), f(ratio(med(a.processes.map((p) => p.probesPerSec)), single.probesPerSec), 2) + '×'],
        ['CPU s per 1,000 probes', f(cpuA, 3), f(single.cpuSecondsPer1000, 3), f(ratio(cpuA, single.cpuSecondsPer1000), 2) + '×'],
        ['peak RSS MB', f(rssA, 0), f(single.peakRssMb, 0), f(ratio(rssA, single.peakRssMb), 2) + '×'],
        ['PostgreSQL CPU s per 1,000 probes', f(a.postgresBackendCpuPer1000, 3), f(b.postgresBackendCpuPer1000, 3), f(ratio(a.postgresBackendCpuPer1000, b.postgresBackendCpuPer1000), 2) + '×'],
      ],
    );
  }
  if (c) {
    console.log('');
    console.log(
      `C: ${c.victim} killed; ${thousands(c.ownedTargets)} targets it owned on the ring (${thousands(c.ownedAndLastProbedByVictim)} of them last probed by it), probed again by a survivor after p50 ${f(c.gapsMs.p50 / 1000, 1)} s, p99 ${f(c.gapsMs.p99 / 1000, 1)} s, max ${f(c.gapsMs.max / 1000, 1)} s` +
        ` (${c.gapsMs.missing} never); survivors saw the ring change after ${c.membershipChangedAfterMs.map((x) => (x === null ? 'n/a' : `${f(x / 1000, 1)} s`)).join(', ')}`,
    );
    console.log(`C: survivors meanwhile: ${c.survivorsDuring.map((s) => `${s.name} ${f(s.probesPerSec)} probes/s, ${f(s.cpuCores * 100, 0)}% of a core`).join('; ')}; load ${c.loadAverage}`);
    console.log(`takeover, every target of the killed replica probed again within ${GOAL_TAKEOVER_INTERVALS} intervals (${formatDuration(c.goalMs)}): ${c.result} (${c.gapsMs.within}/${c.gapsMs.n})`);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const boundMs = 4 * (opts.warmupMs + opts.durationMs) + 6 * opts.intervalMs + 15 * 60_000;
  const watchdog = setTimeout(() => {
    console.error(`benchmark exceeded its time bound (${boundMs} ms); stopping`);
    killAll();
    process.exit(2);
  }, boundMs);
  watchdog.unref();
  const perSecA = opts.targets / (opts.intervalMs / 1000);
  const perSecB = opts.singleTargets / (opts.intervalMs / 1000);
  console.log(
    `replica-scale: A ${opts.replicas} replicas (api,prober,worker each) share ${thousands(opts.targets)} HTTP targets every ${formatDuration(opts.intervalMs)} (${thousands(perSecA)} probes/s); ` +
      `B one process with ${thousands(opts.singleTargets)} (${thousands(perSecB)} probes/s); ${formatDuration(opts.warmupMs)} warm-up + ${formatDuration(opts.durationMs)} measured; C kills one A replica`,
  );
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${loadAverage()}, node ${process.version}`);

  const dir = tempDir('replica-scale');
  const results: { a?: Window; b?: Window; c?: Takeover } = {};
  try {
    redisNode = await startRedis(dir.path);
    const redisUrl = `redis://127.0.0.1:${redisNode.port}`;
    const targets = await Targets.start(opts, boundMs);
    console.log(`targets: ${opts.servers} server processes, ports ${targets.ports.join(', ')}; Redis ${redisNode.address} (pid ${redisNode.proc.child.pid})`);

    if (opts.only.has('b')) {
      console.log(`B: one process, ${thousands(opts.singleTargets)} targets`);
      const { procs, db, names } = await startReplicas(opts, targets, 1, opts.singleTargets, 'replica_scale_b', redisUrl, dir.path);
      results.b = await measure('B', opts, procs, names, targets, opts.singleTargets, dbNameOf(db.url), redisNode.proc.child.pid!);
      results.b.apiCheck = await apiCheck(procs[0], opts.singleTargets, opts.intervalMs);
      await stopAll(procs);
      await db.drop().catch(() => undefined);
    }
    if (opts.only.has('a')) {
      console.log(`A: ${opts.replicas} replicas, ${thousands(opts.targets)} targets`);
      const { procs, db, names } = await startReplicas(opts, targets, opts.replicas, opts.targets, 'replica_scale_a', redisUrl, dir.path);
      results.a = await measure('A', opts, procs, names, targets, opts.targets, dbNameOf(db.url), redisNode.proc.child.pid!);
      results.a.apiCheck = await apiCheck(procs[0], opts.targets, opts.intervalMs);
      if (opts.only.has('c')) results.c = await takeover(opts, procs, names, targets, opts.targets);
      await stopAll(procs);
      await db.drop().catch(() => undefined);
    }
    printFigures(opts, results.a, results.b, results.c);

    if (opts.out) {
      mkdirSync(resolve(opts.out, '..'), { recursive: true });
      const report = {
        benchmark: 'replica-scale',
        at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, kernel: os.release() },
        setup: {
          replicas: opts.replicas,
          roles: 'api,prober,worker on every process',
          targetsA: opts.targets,
          targetsB: opts.singleTargets,
          interval: formatDuration(opts.intervalMs),
          timeout: TIMEOUT,
          warmup: formatDuration(opts.warmupMs),
          duration: formatDuration(opts.durationMs),
          nominalProbesPerSecA: perSecA,
          nominalProbesPerSecB: perSecB,
          targetServerProcesses: opts.servers,
          ports: opts.servers * opts.portsPerServer,
        },
        scenarios: results,
        goals: results.c
          ? { takeover: { goal: `every target of a killed replica probed again within ${GOAL_TAKEOVER_INTERVALS} intervals`, maxMs: results.c.gapsMs.max, p99Ms: results.c.gapsMs.p99, result: results.c.result } }
          : {},
      };
      writeFileSync(opts.out, JSON.stringify(report, (_k, v) => (v === Infinity ? 'Infinity' : v), 2) + '\n');
      console.log(`wrote ${opts.out}`);
    }
  } finally {
    killAll();
    await redisNode?.kill().catch(() => undefined);
    dir.remove();
  }
}

function dbNameOf(url: string): string {
  return new URL(url).pathname.slice(1);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error('replica-scale failed:', err instanceof Error ? err.message : err);
    killAll();
    process.exit(1);
  },
);
