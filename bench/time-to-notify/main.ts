import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { killAll } from './children';
import { runDeliveries, type DeliveriesResult } from './deliveries';
import { runDefaults, runTight, type Env, type Sample } from './latency';
import { NINES_MAIN } from './nines-stack';
import { ALERTMANAGER, BLACKBOX, PROMETHEUS } from './prometheus-stack';
import { TargetServer, WebhookReceiver } from './servers';
import { distribution, fmtMs, loadAverage, type Distribution } from './stats';

/**
 * bench/time-to-notify (issue 5): from the moment a target starts failing to the webhook
 * receiver getting the alert, Nines against Prometheus + blackbox_exporter + Alertmanager on the
 * same endpoints in the same run; then deliveries per second through Nines' queue.
 *
 *   node dist/bench/time-to-notify/main.js [--trials 40] [--endpoints 4]
 *     [--defaults-trials 0] [--deliveries 20000] [--deliveries-runs 3] [--only tight,defaults,deliveries]
 *     [--worker-cpu-prof DIR] [--out bench/results/time-to-notify.json] [--no-json]
 *
 * --defaults-trials N also runs both stacks with their out-of-the-box settings (each trial takes
 * one to three minutes: Prometheus scrapes and evaluates every minute, Alertmanager waits its 30s group_wait, Nines its 1s).
 * A part not run keeps its previous figures in the JSON file, with their own date and load.
 */
const GOAL_RATIO = 0.6; // Nines' tight median at most 0.6× the Prometheus stack's
const GOAL_P99_MS = 1200;
const GOAL_DEFAULTS_SPEEDUP = 10;
const GOAL_DELIVERIES = 2000;

interface Options {
  trials: number;
  endpoints: number;
  defaultsTrials: number;
  deliveries: number;
  deliveriesRuns: number;
  only: Set<string>;
  workerCpuProf?: string;
  out?: string;
}

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
  const known = ['trials', 'endpoints', 'defaults-trials', 'deliveries', 'deliveries-runs', 'only', 'worker-cpu-prof', 'out', 'no-json'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => '--' + x).join(' ')})`);
  const int = (flag: string, def: number, min = 0) => {
    const n = Number(flags.get(flag) ?? def);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer ≥ ${min}`);
    return n;
  };
  const only = new Set((flags.get('only') ?? 'tight,defaults,deliveries').split(',').map((s) => s.trim()));
  for (const o of only) if (!['tight', 'defaults', 'deliveries'].includes(o)) throw new Error(`--only: unknown part ${o}`);
  return {
    trials: int('trials', 40, 1),
    endpoints: int('endpoints', 4, 1),
    defaultsTrials: int('defaults-trials', 0),
    deliveries: int('deliveries', 20_000),
    deliveriesRuns: int('deliveries-runs', 3, 1),
    only,
    workerCpuProf: flags.get('worker-cpu-prof'),
    out: flags.has('no-json') ? undefined : (flags.get('out') ?? resolve(__dirname, '../../../bench/results/time-to-notify.json')),
  };
}

function version(bin: string): string {
  try {
    return /version (\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1] ?? 'unknown';
  } catch (err) {
    return /version (\S+)/.exec(String((err as { stderr?: string }).stderr ?? ''))?.[1] ?? 'unknown';
  }
}

interface StackFigures extends Distribution {
  timeouts: number;
  detectP50?: number;
  /** Median of (arrival − first failed probe): what happens after the failure is seen. */
  afterDetectP50?: number;
}

function figures(samples: Sample[], stack: 'nines' | 'prometheus'): StackFigures {
  const mine = samples.filter((s) => s.stack === stack);
  const d = distribution(mine.map((s) => s.latencyMs));
  const detect = mine.filter((s) => s.detectMs !== undefined);
  const after = detect.filter((s) => Number.isFinite(s.latencyMs));
  return {
    ...d,
    timeouts: mine.filter((s) => !Number.isFinite(s.latencyMs)).length,
    detectP50: detect.length ? distribution(detect.map((s) => s.detectMs!)).p50 : undefined,
    afterDetectP50: after.length ? distribution(after.map((s) => s.latencyMs - s.detectMs!)).p50 : undefined,
  };
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const round = (x: number) => (Number.isFinite(x) ? Math.round(x) : x === Infinity ? 'timeout' : null);

function roundFigures(f: StackFigures) {
  return { n: f.n, p50Ms: round(f.p50), p99Ms: round(f.p99), maxMs: round(f.max), minMs: round(f.min), timeouts: f.timeouts, detectP50Ms: f.detectP50 !== undefined ? round(f.detectP50) : undefined, afterDetectP50Ms: f.afterDetectP50 !== undefined ? round(f.afterDetectP50) : undefined };
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(NINES_MAIN)) throw new Error(`${NINES_MAIN} is missing: build first (npx tsc -p tsconfig.build.json)`);
  for (const bin of [PROMETHEUS, BLACKBOX, ALERTMANAGER]) if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/install-system-deps.sh`);

  const say = (line: string) => process.stdout.write(`${line}\n`);
  const host = { cpus: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAtStart: loadAverage() };
  const versions = { prometheus: version(PROMETHEUS), alertmanager: version(ALERTMANAGER), blackboxExporter: version(BLACKBOX) };
  say(`time-to-notify: ${host.cpus} CPUs, load average ${host.loadAtStart}; Prometheus ${versions.prometheus}, Alertmanager ${versions.alertmanager}, blackbox_exporter ${versions.blackboxExporter}`);
  if (Number(host.loadAtStart.split(' ')[0]) > host.cpus) say(`note: the load average is above the CPU count; other work on this machine will show in these figures`);

  const dir = mkdtempSync(join(os.tmpdir(), 'nines-ttn-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // also after SIGINT
  const target = new TargetServer();
  const receiver = new WebhookReceiver();
  await target.start();
  await receiver.start();
  // Long enough for every part; children die on their own after this even if we are killed.
  const boundSeconds = 60 + opts.trials * 8 + opts.defaultsTrials * 330 + (opts.deliveries / 50) * opts.deliveriesRuns + 600;
  const env: Env = { dir, target, receiver, boundSeconds, say };

  const previous = opts.out && existsSync(opts.out) ? (JSON.parse(readFileSync(opts.out, 'utf8')) as Record<string, unknown>) : {};
  const result: Record<string, unknown> = { benchmark: 'time-to-notify', issue: 5, host, versions, tight: previous.tight, defaults: previous.defaults, deliveries: previous.deliveries };
  const lines: string[] = [];

  try {
    if (opts.only.has('tight')) {
      const loadBefore = loadAverage();
      const started = Date.now();
      const { samples, stages, extraFiring } = await runTight(env, { trials: opts.trials, endpoints: opts.endpoints, timeoutMs: 15_000 });
      const n = figures(samples, 'nines');
      const p = figures(samples, 'prometheus');
      const ratio = n.p50 / p.p50;
      result.tight = {
        measuredAt: new Date(started).toISOString(),
        seconds: Math.round((Date.now() - started) / 1000),
        load: { before: loadBefore, after: loadAverage() },
        trials: opts.trials,
        endpointsPerTrial: opts.endpoints,
        settings: {
          nines: 'interval 1s, timeout 500ms, failure_threshold 1; route group_wait 0s, group_interval 1s, group_by [...]',
          prometheus: 'scrape_interval 1s, scrape_timeout 1s, evaluation_interval 1s; blackbox http_2xx timeout 500ms; rule probe_success == 0, for 0s; alertmanager group_wait 0s, group_interval 1s, group_by [...]',
          failure: 'HTTP 503 on the endpoint path, same server and instant for both',
        },
        nines: roundFigures(n),
        prometheus: roundFigures(p),
        medianRatio: Number(ratio.toFixed(3)),
        ninesStagesP50Ms: stages,
        extraFiringNotifications: extraFiring,
        samples: samples.map((s) => ({ trial: s.trial, id: s.id, stack: s.stack, latencyMs: round(s.latencyMs), detectMs: s.detectMs !== undefined ? round(s.detectMs) : undefined })),
      };
      lines.push(
        '',
        `Tight (1s interval, group_wait 0s): ${opts.trials} trials × ${opts.endpoints} endpoints, load ${loadBefore} → ${loadAverage()}`,
        table([
          ['', 'p50', 'p99', 'max', 'timeouts', 'detect p50', 'after detect p50'],
          ...([['Nines', n], ['Prometheus stack', p]] as const).map(([name, f]) => [name, fmtMs(f.p50), fmtMs(f.p99), fmtMs(f.max), String(f.timeouts), f.detectP50 !== undefined ? fmtMs(f.detectP50) : '-', f.afterDetectP50 !== undefined ? fmtMs(f.afterDetectP50) : '-']),
        ]),
        ...(stages
          ? [
              `Nines after the failed probe (medians of ${stages.notifications} notifications, from its outbox): evaluated → transaction ${stages.evaluatedToTransactionMs} ms → enqueued ${stages.transactionToEnqueuedMs} ms → claimed ${stages.enqueuedToClaimedMs} ms → sent ${stages.claimedToSentMs} ms (evaluated → sent ${stages.evaluatedToSentMs} ms)`,
              `  slowest: ${stages.slowest.slice(0, 3).map((x) => `${x.target} ${x.evaluatedToTransactionMs}/${x.transactionToEnqueuedMs}/${x.enqueuedToClaimedMs}/${x.claimedToSentMs} ms`).join(', ')}`,
            ]
          : []),
        ...(extraFiring.nines || extraFiring.prometheus
          ? [`healthy endpoints reported down (a probe timed out; not in the figures): Nines ${extraFiring.nines}, Prometheus stack ${extraFiring.prometheus}`]
          : []),
        `median ratio Nines / Prometheus stack: ${ratio.toFixed(2)}  goal ≤ ${GOAL_RATIO}: ${verdict(ratio <= GOAL_RATIO)}`,
        `Nines p99: ${fmtMs(n.p99)}  goal < ${GOAL_P99_MS} ms: ${verdict(n.p99 < GOAL_P99_MS)}`,
      );
    }

    if (opts.only.has('defaults') && opts.defaultsTrials > 0) {
      const loadBefore = loadAverage();
      const started = Date.now();
      const samples = await runDefaults(env, { trials: opts.defaultsTrials, timeoutMs: 300_000 });
      const n = figures(samples, 'nines');
      const p = figures(samples, 'prometheus');
      const speedup = p.p50 / n.p50;
      result.defaults = {
        measuredAt: new Date(started).toISOString(),
        seconds: Math.round((Date.now() - started) / 1000),
        load: { before: loadBefore, after: loadAverage() },
        trials: opts.defaultsTrials,
        settings: {
          nines: 'defaults: interval 10s, timeout 3s, failure_threshold 1; route group_wait 1s, group_interval 5m, group_by []',
          prometheus: 'defaults: scrape_interval 1m, scrape_timeout 10s, evaluation_interval 1m; blackbox http_2xx (prober: http only); rule probe_success == 0 without for; alertmanager group_wait 30s, group_interval 5m',
        },
        nines: roundFigures(n),
        prometheus: roundFigures(p),
        speedup: Number(speedup.toFixed(2)),
        samples: samples.map((s) => ({ trial: s.trial, stack: s.stack, latencyMs: round(s.latencyMs), detectMs: s.detectMs !== undefined ? round(s.detectMs) : undefined })),
      };
      lines.push(
        '',
        `Out-of-the-box defaults: ${opts.defaultsTrials} trials, load ${loadBefore} → ${loadAverage()}`,
        table([
          ['', 'p50', 'max', 'timeouts', 'detect p50', 'after detect p50'],
          ...([['Nines', n], ['Prometheus stack', p]] as const).map(([name, f]) => [name, fmtMs(f.p50), fmtMs(f.max), String(f.timeouts), f.detectP50 !== undefined ? fmtMs(f.detectP50) : '-', f.afterDetectP50 !== undefined ? fmtMs(f.afterDetectP50) : '-']),
        ]),
        `Prometheus stack median / Nines median: ${speedup.toFixed(1)}×  goal ≥ ${GOAL_DEFAULTS_SPEEDUP}×: ${verdict(speedup >= GOAL_DEFAULTS_SPEEDUP)}`,
      );
    }

    if (opts.only.has('deliveries') && opts.deliveries > 0) {
      say(`deliveries: ${opts.deliveries} webhook notifications through one worker process`);
      const started = Date.now();
      const nodeArgs = opts.workerCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.workerCpuProf)}`] : undefined;
      // Several runs, each on a fresh database and worker: the median run (by deliveries/s) is the
      // figure, every run is printed and kept, so a noisy neighbour on the machine shows.
      const runs: DeliveriesResult[] = [];
      for (let i = 0; i < opts.deliveriesRuns; i++) {
        runs.push(await runDeliveries(env, { count: opts.deliveries, nodeArgs: i === 0 ? nodeArgs : undefined }));
        say(`deliveries run ${i + 1}/${opts.deliveriesRuns}: ${Math.round(runs[i].perSecond)}/s (steady ${Math.round(runs[i].steadyPerSecond)}/s)`);
      }
      const d = [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor((runs.length - 1) / 2)];
      const perDelivery = (cpu: number) => `${((cpu * 1000) / d.count).toFixed(2)} ms`;
      result.deliveries = {
        measuredAt: new Date(started).toISOString(),
        ...d,
        perSecond: Math.round(d.perSecond),
        steadyPerSecond: Math.round(d.steadyPerSecond),
        seconds: Number(d.seconds.toFixed(2)),
        workerCpuSeconds: Number(d.workerCpuSeconds.toFixed(2)),
        postgresCpuSeconds: Number(d.postgresCpuSeconds.toFixed(2)),
        redisCpuSeconds: Number(d.redisCpuSeconds.toFixed(2)),
        benchCpuSeconds: Number(d.benchCpuSeconds.toFixed(2)),
        machineBusyPercent: Math.round(d.machineBusyPercent),
        runs: runs.map((r) => ({ perSecond: Math.round(r.perSecond), steadyPerSecond: Math.round(r.steadyPerSecond), seconds: Number(r.seconds.toFixed(2)), duplicates: r.duplicates, load: r.load })),
        cpuMsPerDelivery: {
          worker: Number(((d.workerCpuSeconds * 1000) / d.count).toFixed(3)),
          postgres: Number(((d.postgresCpuSeconds * 1000) / d.count).toFixed(3)),
          redisShared: Number(((d.redisCpuSeconds * 1000) / d.count).toFixed(3)),
          receiver: Number(((d.benchCpuSeconds * 1000) / d.count).toFixed(3)),
        },
      };
      lines.push(
        '',
        `Deliveries through the queue: ${d.count} webhooks per run, ${runs.length} run(s); median run ${d.seconds.toFixed(1)} s, load ${d.load.before} → ${d.load.after}, machine ${Math.round(d.machineBusyPercent)}% busy`,
        table([
          ['', 'per second', 'steady (10–90%)', 'received', 'duplicates', 'not sent'],
          ...runs.map((r, i) => [`run ${i + 1}${r === d ? ' (median)' : ''}`, String(Math.round(r.perSecond)), String(Math.round(r.steadyPerSecond)), String(r.received), String(r.duplicates), JSON.stringify(r.notSent)]),
        ]),
        `CPU per delivery: worker ${perDelivery(d.workerCpuSeconds)}, PostgreSQL ${perDelivery(d.postgresCpuSeconds)}, Redis ${perDelivery(d.redisCpuSeconds)} (shared), receiver ${perDelivery(d.benchCpuSeconds)}; ` +
          `the worker alone would do ${Math.round(d.count / d.workerCpuSeconds)}/s on one idle core`,
        ...(d.retried ? [`${d.retried} sent after a retry, e.g. ${d.retryReasons.join('\n  ')}`] : []),
        `deliveries/s: ${Math.round(d.perSecond)}  goal ≥ ${GOAL_DELIVERIES}: ${verdict(d.perSecond >= GOAL_DELIVERIES)}`,
      );
    }
  } finally {
    await target.stop();
    await receiver.stop();
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }

  say(lines.join('\n'));
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
    say(`\nwritten to ${opts.out}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`time-to-notify: ${(err as Error)?.stack ?? err}\n`);
    killAll();
    process.exit(1);
  },
);
