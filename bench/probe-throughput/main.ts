import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import { formatDuration, parseDuration } from '../../libs/common/src/duration';
import {
  allProcessCpu,
  childPids,
  cpuSeconds,
  cpuTimes,
  distribution,
  loadAverage,
  machineCpu,
  memoryMb,
  otherProcessesCpu,
} from './proc';

/**
 * bench/probe-throughput: N local HTTP targets, probed for a fixed time by Nines and then by
 * prometheus-blackbox-exporter at the same rate, with CPU per probe, peak RSS and scheduling
 * lag read from /proc. The two probers run one after the other (not at once) so that on a small
 * machine neither steals the other's CPU; the targets are the same processes and URLs for both.
 *
 *   node dist/bench/probe-throughput/main.js [--targets 10000] [--interval 10s] [--duration 60s]
 *     [--warmup 10s] [--only nines|blackbox] [--servers 2] [--ports 4] [--cpu-prof DIR] [--out FILE]
 *     [--rounds 1] [--coalesce 20ms] [--nice N]
 * (or BENCH_TARGETS, BENCH_INTERVAL, BENCH_DURATION, BENCH_WARMUP, BENCH_ONLY, BENCH_ROUNDS, BENCH_COALESCE, BENCH_NICE)
 * --coalesce is the engine's coalesceMs (how late a tick may start to share a wake-up with its
 * neighbours); --coalesce 0ms schedules every tick exactly, as the engine does by default.
 * --nice gives every benchmark process the same priority; on a machine shared with other work a
 * negative value (root only) keeps the probers from being starved, which would show up as lag.
 */
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const GOAL_CPU_RATIO = 3;
const GOAL_LAG_P99_MS = 100;
const GOAL_TARGETS = 10_000;
const GOAL_INTERVAL_MS = 10_000;
const PROBE_TIMEOUT = '3s'; // Nines' default probe timeout; blackbox's module gets the same

interface Options {
  targets: number;
  intervalMs: number;
  durationMs: number;
  warmupMs: number;
  only: 'both' | 'nines' | 'blackbox';
  servers: number;
  portsPerServer: number;
  cpuProfDir?: string;
  out?: string;
  /** Scheduling priority (nice) for every benchmark process; negative needs root. */
  nice: number;
  /** The engine's coalesceMs: how late a tick may start to share a wake-up with its neighbours. */
  coalesceMs: number;
  /** Nines/blackbox pairs to run; on a shared machine several rounds show how much load moved the figures. */
  rounds: number;
}

const root = resolve(__dirname, '../../..');

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--no-json') flags.set('no-json', '1');
    else flags.set(a.slice(2), argv[++i] ?? '');
  }
  const known = ['targets', 'interval', 'duration', 'warmup', 'only', 'servers', 'ports', 'cpu-prof', 'out', 'no-json', 'nice', 'coalesce', 'rounds'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => '--' + x).join(' ')})`);
  const get = (flag: string, envName: string, def: string) => flags.get(flag) ?? env[envName] ?? def;
  const duration = (flag: string, envName: string, def: string) => {
    const v = get(flag, envName, def);
    const ms = parseDuration(v);
    if (!ms) throw new Error(`--${flag} ${v} is not a duration (e.g. 10s, 1m)`);
    return ms;
  };
  const int = (flag: string, envName: string, def: string) => {
    const n = Number(get(flag, envName, def));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer`);
    return n;
  };
  const only = get('only', 'BENCH_ONLY', 'both');
  if (!['both', 'nines', 'blackbox'].includes(only)) throw new Error('--only must be nines or blackbox');
  const intervalMs = duration('interval', 'BENCH_INTERVAL', '10s');
  return {
    targets: int('targets', 'BENCH_TARGETS', '10000'),
    intervalMs,
    durationMs: duration('duration', 'BENCH_DURATION', '60s'),
    warmupMs: duration('warmup', 'BENCH_WARMUP', formatDuration(Math.min(intervalMs, 10_000))),
    only: only as Options['only'],
    servers: int('servers', 'BENCH_SERVERS', '2'),
    portsPerServer: int('ports', 'BENCH_PORTS', '4'),
    cpuProfDir: flags.get('cpu-prof') ? resolve(flags.get('cpu-prof')!) : undefined,
    nice: Number(get('nice', 'BENCH_NICE', '0')),
    coalesceMs: (() => {
      const v = get('coalesce', 'BENCH_COALESCE', '20ms');
      const ms = parseDuration(v);
      if (ms === undefined) throw new Error(`--coalesce ${v} is not a duration (e.g. 0ms, 20ms)`);
      return ms;
    })(),
    rounds: int('rounds', 'BENCH_ROUNDS', '1'),
    out: flags.has('no-json') ? undefined : resolve(flags.get('out') ?? join(root, 'bench/results/probe-throughput.json')),
  };
}

// ---- children: every one is tracked, bounded in time and killed when we exit ----

const children: ChildProcess[] = [];
/** Processes we started indirectly (the exporter under its `timeout` wrapper). */
const strays = new Set<number>();
let restoreAutogroup: string | undefined;

function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of strays) killPid(pid);
  strays.clear();
  if (restoreAutogroup !== undefined) {
    try {
      writeFileSync('/proc/self/autogroup', restoreAutogroup);
    } catch {
      /* best effort */
    }
    restoreAutogroup = undefined;
  }
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Runs this process (and so every child forked later) at `nice`. With autogroup scheduling, nice
 * only ranks processes within their session's group; the group's own nice decides its share
 * against the rest of the machine, so it is raised too and restored on exit.
 */
function raisePriority(nice: number): void {
  os.setPriority(nice);
  try {
    const before = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1];
    writeFileSync('/proc/self/autogroup', String(nice));
    restoreAutogroup = before;
  } catch {
    /* no autogroup scheduling here: the process nice is all there is */
  }
}

function forkChild(script: string, env: Record<string, string>, execArgv: string[] = []): ChildProcess {
  const c = fork(join(__dirname, script), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(c);
  return c;
}

function waitMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${type} message from child ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { type: string }) => m.type === type && done(undefined, m as T);
    const onExit = (code: number | null) => done(new Error(`child ${child.pid} exited (${code}) before sending ${type}`));
    function done(err?: Error, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolvePromise(value!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.connected) child.send({ type: 'stop' });
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolvePromise(port));
    });
  });
}

function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// ---- measurement ----

interface Counts {
  results: number;
  failures: number;
  lags: number[];
  durations?: number[];
  memory?: NodeJS.MemoryUsage;
  reasons?: Record<string, number>;
  skipped?: Record<string, number>;
  errors?: number;
}

interface Side {
  probes: number;
  seconds: number;
  probesPerSec: number;
  failures: number;
  failureReasons?: Record<string, number>;
  skipped?: Record<string, number>;
  cpuSeconds: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  cpuCores: number;
  cpuSecondsPer1000: number;
  peakRssMb: number;
  rssMbAtEnd: number;
  lagMs?: { p50: number; p99: number; max: number; n: number };
  probeDurationMs?: { p50: number; p99: number; max: number; n: number };
  /** Nines only: V8 heap and RSS in MB once targets were loaded and at the end of the window. */
  heapMb?: { loadedHeapUsed: number; loadedRss: number; endHeapUsed: number; endHeapTotal: number; endRss: number };
  driverLagMs?: { p50: number; p99: number; max: number; n: number };
  driverCpuSeconds?: number;
  targetServersCpuSeconds: number;
  /** Machine CPU not used by the benchmark's own processes (other work, unattributed kernel work). */
  otherCpuCores: number;
  machineIdleCores: number;
  otherProcessesCpuSeconds: number;
  busiestOtherProcesses: { name: string; pid: number; seconds: number }[];
  loadAverageBefore: string;
  loadAverageAfter: string;
  notes: string[];
}

/**
 * Warms up, then measures one window: CPU of the measured process from /proc at the first and
 * last mark, and the probe counters the counting child reports at the same marks.
 */
async function measureWindow(
  label: string,
  opts: Options,
  measuredPid: number,
  counter: ChildProcess,
  serverPids: number[],
  driverPid: number | undefined,
  ours: Set<number>,
): Promise<{ counts: Counts; seconds: number; cpu: number; user: number; system: number; servers: number; driver: number; others: ReturnType<typeof otherProcessesCpu>; machineBusy: number; machineTotal: number; loadBefore: string; loadAfter: string }> {
  console.log(`  ${label}: warming up for ${formatDuration(opts.warmupMs)}…`);
  await sleep(opts.warmupMs);
  const snap = () => ({
    t: performance.now(),
    cpu: cpuSeconds(measuredPid),
    split: cpuTimes(measuredPid),
    servers: serverPids.reduce((s, p) => s + cpuSeconds(p), 0),
    driver: driverPid ? cpuSeconds(driverPid) : 0,
    all: allProcessCpu(),
    machine: machineCpu(),
  });
  const loadBefore = loadAverage();
  const a = snap();
  // The reply to the first mark only resets the counters, so warm-up probes are not counted.
  const first = waitMessage<Counts>(counter, 'mark', 5000);
  counter.send({ type: 'mark' });
  await first;
  const step = 10_000;
  for (let done = 0; done < opts.durationMs; done += step) {
    await sleep(Math.min(step, opts.durationMs - done));
    const cpuSoFar = cpuSeconds(measuredPid) - a.cpu;
    const elapsed = (performance.now() - a.t) / 1000;
    console.log(`  ${label}: ${Math.round(elapsed)}/${Math.round(opts.durationMs / 1000)} s, ${(cpuSoFar / elapsed * 100).toFixed(0)}% of a core`);
  }
  const b = snap();
  const last = waitMessage<Counts>(counter, 'mark', 5000);
  counter.send({ type: 'mark' });
  const counts = await last;
  return {
    counts,
    seconds: (b.t - a.t) / 1000,
    cpu: b.cpu - a.cpu,
    user: b.split.user - a.split.user,
    system: b.split.system - a.split.system,
    servers: b.servers - a.servers,
    driver: b.driver - a.driver,
    others: otherProcessesCpu(a.all, b.all, ours),
    machineBusy: b.machine.busy - a.machine.busy,
    machineTotal: b.machine.total - a.machine.total,
    loadBefore,
    loadAfter: loadAverage(),
  };
}

function side(w: Awaited<ReturnType<typeof measureWindow>>, pid: number, notes: string[]): Side {
  const mem = memoryMb(pid);
  return {
    probes: w.counts.results,
    seconds: w.seconds,
    probesPerSec: w.counts.results / w.seconds,
    failures: w.counts.failures,
    failureReasons: w.counts.reasons,
    skipped: w.counts.skipped,
    cpuSeconds: w.cpu,
    cpuUserSeconds: w.user,
    cpuSystemSeconds: w.system,
    cpuCores: w.cpu / w.seconds,
    cpuSecondsPer1000: (w.cpu / w.counts.results) * 1000,
    peakRssMb: mem.peakRssMb,
    rssMbAtEnd: mem.rssMb,
    targetServersCpuSeconds: w.servers,
    otherCpuCores: (w.machineBusy - w.cpu - w.servers - w.driver) / w.seconds,
    machineIdleCores: (w.machineTotal - w.machineBusy) / w.seconds,
    otherProcessesCpuSeconds: w.others.seconds,
    busiestOtherProcesses: w.others.top,
    loadAverageBefore: w.loadBefore,
    loadAverageAfter: w.loadAfter,
    notes,
  };
}

async function runNines(opts: Options, urls: string[], setupDir: string, serverPids: number[]): Promise<Side> {
  const setupFile = join(setupDir, 'nines.json');
  writeFileSync(setupFile, JSON.stringify({ urls, interval: formatDuration(opts.intervalMs), coalesceMs: opts.coalesceMs }));
  const execArgv = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  const runner = forkChild('nines-runner.js', { BENCH_SETUP_FILE: setupFile, BENCH_MAX_MS: String(boundMs(opts)) }, execArgv);
  const ready = await waitMessage<{ targets: number; concurrency: number; timeoutMs: number; memory: NodeJS.MemoryUsage }>(runner, 'ready', 60_000);
  console.log(
    `  nines: ${ready.targets} targets loaded (concurrency ${ready.concurrency}, timeout ${formatDuration(ready.timeoutMs)}, coalesce ${formatDuration(opts.coalesceMs)})`,
  );
  const ours = new Set([process.pid, runner.pid!, ...serverPids]);
  const w = await measureWindow('nines', opts, runner.pid!, runner, serverPids, undefined, ours);
  const s = side(w, runner.pid!, [
    'ProbeEngine + runProbe + http driver, wired as ProberService (config parsing, metrics, ResultWriter, transition logs)',
    'no database writes: the ResultWriter flushes into a discarding repository; no Redis claimer (single process)',
  ]);
  s.lagMs = distribution(w.counts.lags);
  s.probeDurationMs = distribution(w.counts.durations ?? []);
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  const end = w.counts.memory;
  if (end)
    s.heapMb = { loadedHeapUsed: mb(ready.memory.heapUsed), loadedRss: mb(ready.memory.rss), endHeapUsed: mb(end.heapUsed), endHeapTotal: mb(end.heapTotal), endRss: mb(end.rss) };
  await stopChild(runner, 10_000);
  return s;
}

async function runBlackbox(opts: Options, urls: string[], setupDir: string, serverPids: number[]): Promise<Side & { version: string }> {
  const version = blackboxVersion();
  const port = await freePort();
  const configFile = join(setupDir, 'blackbox.yml');
  writeFileSync(
    configFile,
    ['modules:', '  http_2xx:', '    prober: http', `    timeout: ${PROBE_TIMEOUT}`, '    http:', '      preferred_ip_protocol: ip4', ''].join('\n'),
  );
  const log = openSync(join(setupDir, 'blackbox.log'), 'a');
  // `timeout` bounds the exporter even if this process is killed without running its exit hook.
  const wrapper = spawn('timeout', ['-s', 'KILL', String(Math.ceil(boundMs(opts) / 1000)), BLACKBOX, `--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', log, log],
  });
  children.push(wrapper);
  const base = `http://127.0.0.1:${port}`;
  let exporterPid: number | undefined;
  for (let i = 0; i < 100 && exporterPid === undefined; i++) {
    exporterPid = childPids(wrapper.pid!)[0];
    if (exporterPid === undefined) await sleep(50);
  }
  if (!exporterPid) throw new Error('blackbox_exporter did not start (see blackbox.log)');
  strays.add(exporterPid);
  let healthy = false;
  for (let i = 0; i < 100 && !healthy; i++) {
    healthy = await httpGet(`${base}/-/healthy`).then((r) => r.status === 200, () => false);
    if (!healthy) await sleep(100);
  }
  if (!healthy) throw new Error(`blackbox_exporter not healthy on ${base}: ${readFileSync(join(setupDir, 'blackbox.log'), 'utf8').slice(-500)}`);
  const check = await httpGet(`${base}/probe?module=http_2xx&target=${encodeURIComponent(urls[0])}`, 5000);
  if (!/^probe_success 1$/m.test(check.body)) throw new Error(`blackbox_exporter cannot probe ${urls[0]}:\n${check.body.slice(0, 800)}`);
  console.log(`  blackbox: ${version} on ${base}, module http_2xx (timeout ${PROBE_TIMEOUT})`);

  const setupFile = join(setupDir, 'blackbox-driver.json');
  writeFileSync(setupFile, JSON.stringify({ exporter: base, module: 'http_2xx', urls, intervalMs: opts.intervalMs }));
  const driver = forkChild('blackbox-driver.js', { BENCH_SETUP_FILE: setupFile, BENCH_MAX_MS: String(boundMs(opts)) });
  await waitMessage(driver, 'ready', 30_000);
  const ours = new Set([process.pid, wrapper.pid!, exporterPid, driver.pid!, ...serverPids]);
  const w = await measureWindow('blackbox', opts, exporterPid, driver, serverPids, driver.pid, ours);
  const s = side(w, exporterPid, [
    'driven like Prometheus: one GET /probe?module=http_2xx&target=… per probe; the exporter CPU includes serving that scrape',
    'driver uses keep-alive to the exporter and runs in its own process (its CPU is reported separately, not counted)',
  ]);
  s.driverCpuSeconds = w.driver;
  s.driverLagMs = distribution(w.counts.lags);
  s.failures = w.counts.failures;
  await stopChild(driver);
  // The exporter has no graceful-stop work worth waiting for.
  killPid(exporterPid);
  strays.delete(exporterPid);
  wrapper.kill('SIGKILL');
  return { ...s, version };
}

function blackboxVersion(): string {
  try {
    const out = execFileSync(BLACKBOX, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0].trim();
  } catch (err) {
    const e = err as { stderr?: string };
    return e.stderr?.split('\n')[0].trim() || 'blackbox_exporter (version unknown)';
  }
}

function boundMs(opts: Options): number {
  return opts.rounds * (2 * (opts.warmupMs + opts.durationMs) + 60_000) + 120_000;
}

// ---- report ----

interface Round {
  round: number;
  order: string;
  nines?: Side;
  blackbox?: Side & { version: string };
  /** Blackbox CPU per probe ÷ Nines CPU per probe, both measured in this round. */
  cpuRatio?: number;
}

const f = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(d));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function perThousand(seconds: number, probes: number): number {
  return (seconds / probes) * 1000;
}

function printRounds(rounds: Round[]): void {
  const head = ['round', 'prober', 'probes/s', 'CPU s/1000 probes (user+sys)', 'share of a core', 'peak RSS MB', 'lag p50/p99 ms', 'failures', 'other load (cores)'];
  const rows: string[][] = [];
  for (const r of rounds)
    for (const [name, s] of [['Nines', r.nines], ['blackbox', r.blackbox]] as const) {
      if (!s) continue;
      rows.push([
        String(r.round),
        name,
        f(s.probesPerSec),
        `${f(s.cpuSecondsPer1000, 3)} (${f(perThousand(s.cpuUserSeconds, s.probes), 3)}+${f(perThousand(s.cpuSystemSeconds, s.probes), 3)})`,
        `${f(s.cpuCores * 100, 0)}%`,
        f(s.peakRssMb),
        s.lagMs ? `${f(s.lagMs.p50, 0)}/${f(s.lagMs.p99, 0)}` : '-',
        String(s.failures),
        f(s.otherCpuCores, 2),
      ]);
    }
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)) + 2);
  console.log('');
  console.log(head.map((h, c) => h.padEnd(widths[c])).join('').trimEnd());
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('').trimEnd());
}

function summarise(opts: Options, rounds: Round[]) {
  const ns = rounds.flatMap((r) => (r.nines ? [r.nines] : []));
  const bs = rounds.flatMap((r) => (r.blackbox ? [r.blackbox] : []));
  const ratios = rounds.flatMap((r) => (r.cpuRatio !== undefined ? [r.cpuRatio] : []));
  const nominal = opts.targets / (opts.intervalMs / 1000);
  const side = (xs: Side[]) =>
    xs.length
      ? {
          probesPerSecMin: Math.min(...xs.map((s) => s.probesPerSec)),
          cpuSecondsPer1000Median: median(xs.map((s) => s.cpuSecondsPer1000)),
          peakRssMbMax: Math.max(...xs.map((s) => s.peakRssMb)),
          failures: xs.reduce((a, s) => a + s.failures, 0),
          lagP50MsMedian: xs[0].lagMs ? median(xs.map((s) => s.lagMs!.p50)) : undefined,
          lagP99MsWorst: xs[0].lagMs ? Math.max(...xs.map((s) => s.lagMs!.p99)) : undefined,
          skippedBehind: xs.reduce((a, s) => a + (s.skipped?.behind ?? 0), 0),
        }
      : undefined;
  const nines = side(ns);
  const blackbox = side(bs);
  const ratio = ratios.length ? median(ratios) : undefined;
  const atGoalScale = opts.targets >= GOAL_TARGETS && opts.intervalMs <= GOAL_INTERVAL_MS;
  const rateKept = nines ? nines.probesPerSecMin >= 0.99 * nominal && nines.skippedBehind === 0 : false;
  const lagOk = nines?.lagP99MsWorst !== undefined && nines.lagP99MsWorst < GOAL_LAG_P99_MS;
  return {
    nominalProbesPerSec: nominal,
    nines,
    blackbox,
    cpuRatioPerRound: ratios,
    cpuRatioMedian: ratio,
    goals: {
      cpuPerProbe: { goal: `blackbox ÷ Nines CPU per probe >= ${GOAL_CPU_RATIO}`, value: ratio, result: ratio === undefined ? 'n/a' : ratio >= GOAL_CPU_RATIO ? 'PASS' : 'MISS' },
      scale: {
        goal: `${GOAL_TARGETS} targets at ${formatDuration(GOAL_INTERVAL_MS)} on one process, scheduling lag p99 < ${GOAL_LAG_P99_MS} ms`,
        rateKept,
        lagP99WorstMs: nines?.lagP99MsWorst,
        result: !nines ? 'n/a' : !atGoalScale ? `n/a (run with --targets ${GOAL_TARGETS} --interval ${formatDuration(GOAL_INTERVAL_MS)})` : rateKept && lagOk ? 'PASS' : 'MISS',
      },
    },
  };
}

function printSummary(opts: Options, rounds: Round[], sum: ReturnType<typeof summarise>): void {
  const n = sum.nines;
  const b = sum.blackbox;
  const rows: [string, string, string][] = [
    ['probes/s (lowest round)', f(n?.probesPerSecMin), f(b?.probesPerSecMin)],
    ['CPU s per 1,000 probes (median)', f(n?.cpuSecondsPer1000Median, 3), f(b?.cpuSecondsPer1000Median, 3)],
    ['peak RSS MB (highest round)', f(n?.peakRssMbMax), f(b?.peakRssMbMax)],
    ['scheduling lag p50 / p99 ms', n?.lagP50MsMedian !== undefined ? `${f(n.lagP50MsMedian, 0)} / ${f(n.lagP99MsWorst, 0)} (worst)` : 'n/a', 'n/a (Prometheus schedules)'],
    ['failures (all rounds)', n ? String(n.failures) : 'n/a', b ? String(b.failures) : 'n/a'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
  const w1 = Math.max(12, ...rows.map((r) => r[1].length)) + 2;
  console.log('');
  console.log(`${`${rounds.length} round${rounds.length > 1 ? 's' : ''}`.padEnd(w0)}${'Nines'.padEnd(w1)}blackbox_exporter`);
  for (const [a, x, y] of rows) console.log(`${a.padEnd(w0)}${x.padEnd(w1)}${y}`);
  for (const r of rounds) {
    const bb = r.blackbox;
    if (bb && bb.probesPerSec < 0.99 * sum.nominalProbesPerSec)
      console.log(`note: round ${r.round}: blackbox_exporter completed ${f(bb.probesPerSec)} of ${f(sum.nominalProbesPerSec)} probes/s driven (${f(bb.cpuCores * 100, 0)}% of a core)`);
    for (const [name, s] of [['Nines', r.nines], ['blackbox', r.blackbox]] as const) {
      if (!s) continue;
      if (s.failures && s.failureReasons && Object.keys(s.failureReasons).length) console.log(`round ${r.round} ${name} failure reasons: ${JSON.stringify(s.failureReasons)}`);
      if (s.otherCpuCores > 0.25)
        console.log(
          `warning: round ${r.round}: other work used ${f(s.otherCpuCores, 2)} of ${os.cpus().length} cores during the ${name} window ` +
            `(busiest long-lived: ${s.busiestOtherProcesses.map((p) => `${p.name} ${f(p.seconds)}s`).join(', ')}); figures may be distorted`,
        );
    }
  }
  const g = sum.goals;
  console.log('');
  console.log(
    `CPU per probe, blackbox ÷ Nines: ${sum.cpuRatioPerRound.length ? sum.cpuRatioPerRound.map((x) => f(x, 2) + '×').join(', ') : 'n/a'}` +
      `${sum.cpuRatioPerRound.length > 1 ? ` → median ${f(sum.cpuRatioMedian, 2)}×` : ''} (goal ≥ ${GOAL_CPU_RATIO}×): ${g.cpuPerProbe.result}`,
  );
  console.log(
    `scale, ${g.scale.goal}: ${g.scale.result}` + (n ? ` (rate kept: ${g.scale.rateKept ? 'yes' : 'no'}, worst lag p99 ${f(n.lagP99MsWorst, 0)} ms)` : ''),
  );
  const notes = [
    ...(rounds[0]?.nines?.notes ?? []),
    ...(rounds[0]?.blackbox?.notes ?? []),
    `engine coalesceMs ${formatDuration(opts.coalesceMs)}`,
    'the two probers ran one after the other (order alternating by round) against the same target processes and URLs',
  ];
  console.log('notes: ' + notes.join('; '));
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  // Children inherit the priority at fork, so every benchmark process (both probers, targets,
  // driver) runs at the same one and neither prober is favoured.
  if (opts.nice) raisePriority(opts.nice);
  const nominal = opts.targets / (opts.intervalMs / 1000);
  const watchdog = setTimeout(() => {
    console.error(`benchmark exceeded its time bound (${boundMs(opts)} ms); stopping`);
    process.exit(2);
  }, boundMs(opts));
  watchdog.unref();
  console.log(
    `probe-throughput: ${opts.targets} HTTP targets every ${formatDuration(opts.intervalMs)} (${f(nominal)} probes/s), ` +
      `${formatDuration(opts.warmupMs)} warm-up + ${formatDuration(opts.durationMs)} measured per prober, ${opts.rounds} round${opts.rounds > 1 ? 's' : ''}, probers one after the other`,
  );
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${loadAverage()}, node ${process.version}` +
      (opts.nice ? `, benchmark processes at nice ${opts.nice}` : ''),
  );

  const setupDir = mkdtempSync(join(os.tmpdir(), 'nines-bench-'));
  try {
    const servers: ChildProcess[] = [];
    const ports: number[] = [];
    for (let i = 0; i < opts.servers; i++) {
      const s = forkChild('targets.js', { BENCH_PORTS: String(opts.portsPerServer), BENCH_MAX_MS: String(boundMs(opts)) });
      servers.push(s);
      ports.push(...(await waitMessage<{ ports: number[] }>(s, 'ready', 10_000)).ports);
    }
    const serverPids = servers.map((s) => s.pid!);
    // Targets differ by path and spread over the ports, one fresh connection per probe each.
    const urls = Array.from({ length: opts.targets }, (_, i) => `http://127.0.0.1:${ports[i % ports.length]}/t/${i}`);
    console.log(`targets: ${opts.servers} server processes, ports ${ports.join(', ')}`);

    const rounds: Round[] = [];
    for (let i = 1; i <= opts.rounds; i++) {
      // Alternate the order so a drift in the machine's other load does not favour one prober.
      const order: ('nines' | 'blackbox')[] = (i % 2 ? ['nines', 'blackbox'] : ['blackbox', 'nines']).filter((p) => opts.only === 'both' || p === opts.only) as ('nines' | 'blackbox')[];
      const round: Round = { round: i, order: order.join(',') };
      console.log(`round ${i}/${opts.rounds}`);
      for (const [k, prober] of order.entries()) {
        if (k > 0) await sleep(2000);
        if (prober === 'nines') round.nines = await runNines(opts, urls, setupDir, serverPids);
        else round.blackbox = await runBlackbox(opts, urls, setupDir, serverPids);
      }
      if (round.nines && round.blackbox) round.cpuRatio = round.blackbox.cpuSecondsPer1000 / round.nines.cpuSecondsPer1000;
      rounds.push(round);
    }

    printRounds(rounds);
    const sum = summarise(opts, rounds);
    printSummary(opts, rounds, sum);

    if (opts.out) {
      mkdirSync(resolve(opts.out, '..'), { recursive: true });
      const report = {
        benchmark: 'probe-throughput',
        at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, kernel: os.release() },
        setup: {
          targets: opts.targets,
          interval: formatDuration(opts.intervalMs),
          warmup: formatDuration(opts.warmupMs),
          duration: formatDuration(opts.durationMs),
          rounds: opts.rounds,
          nominalProbesPerSec: nominal,
          probeTimeout: PROBE_TIMEOUT,
          coalesce: formatDuration(opts.coalesceMs),
          targetServerProcesses: opts.servers,
          ports: ports.length,
          nice: opts.nice,
          blackbox: rounds.find((r) => r.blackbox)?.blackbox?.version,
        },
        summary: sum,
        rounds,
      };
      writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
      console.log(`wrote ${opts.out}`);
    }
  } finally {
    killAll();
    rmSync(setupDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error('probe-throughput failed:', err instanceof Error ? err.message : err);
    killAll();
    process.exit(1);
  },
);
