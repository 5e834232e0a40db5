import { readFileSync } from 'node:fs';
import pino from 'pino';
import { systemClock } from '../../libs/common/src/clock';
import { secretScrubber } from '../../libs/common/src/secrets';
import { parseConfig } from '../../libs/config/src/config';
import { NinesMetrics } from '../../libs/metrics/src/metrics';
import { ProbeEngine } from '../../libs/probes/src/engine';
import { runProbe } from '../../libs/probes/src/run-probe';
import type { ResultRepository } from '../../libs/storage/src/result.repository';
import { ResultWriter } from '../../libs/storage/src/result-writer';

/**
 * The Nines side of the benchmark, in its own process so its CPU and memory are measured alone.
 * It wires the engine the way ProberService does (real config parsing, runProbe with the real
 * HTTP driver, metrics, ResultWriter, transition logging) except for what needs other servers:
 * no Redis claimer or membership (one process owns every target), and the ResultWriter's
 * repository discards its batches instead of writing to PostgreSQL.
 */
interface Setup {
  urls: string[];
  interval: string;
  coalesceMs: number;
}

const setup = JSON.parse(readFileSync(process.env.BENCH_SETUP_FILE!, 'utf8')) as Setup;
const maxMs = Number(process.env.BENCH_MAX_MS ?? 600_000);

let results = 0;
let failures = 0;
const reasons = new Map<string, number>();
const skipped = { overlap: 0, behind: 0, claimed_elsewhere: 0 };
let lags: number[] = [];
let durations: number[] = [];

function main(): void {
  // JSON is YAML: the same parser and schema a real nines.yaml goes through.
  const doc = {
    defaults: { interval: setup.interval },
    targets: setup.urls.map((url, i) => ({ name: `t${i}`, probe: { kind: 'http', url } })),
  };
  const cfg = parseConfig(JSON.stringify(doc), {});
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const metrics = new NinesMetrics();
  const discard = { writeBatch: async () => undefined } as unknown as ResultRepository;
  const writer = new ResultWriter(discard, logger, {
    flushed: (rows, seconds) => {
      metrics.resultRows.inc(rows);
      metrics.resultFlushSeconds.observe(seconds);
    },
    failed: () => metrics.resultWriteFailures.inc(),
    dropped: (n) => metrics.resultsDropped.inc(n),
  });
  writer.setTargetIds(new Map(cfg.targets.map((t, i) => [t.key, i + 1])));

  const engine = new ProbeEngine({
    clock: systemClock,
    concurrency: cfg.defaults.concurrency,
    thresholds: { failure: cfg.defaults.failureThreshold, recovery: cfg.defaults.recoveryThreshold },
    run: runProbe,
    coalesceMs: setup.coalesceMs,
    hooks: {
      onStart: (_t, lagMs) => {
        lags.push(lagMs);
        metrics.queueLag.observe(lagMs / 1000);
        metrics.inFlight.inc();
      },
      onResult: (r, t, state) => {
        results += 1;
        durations.push(r.durationMs);
        if (!r.up) {
          failures += 1;
          const why = r.reason ?? 'unknown';
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
        }
        metrics.inFlight.dec();
        metrics.recordProbe(t.probe.kind, r.up, r.reason);
        writer.add(r, state);
      },
      onSkipped: (_t, reason) => {
        skipped[reason] += 1;
        metrics.probesSkipped.inc({ reason });
      },
      onTransition: (t, tr, state) => {
        const r = state.lastResult;
        const line = { target: t.key, kind: t.probe.kind, from: tr.from, to: tr.to, reason: r?.reason };
        if (tr.to === 'down') logger.warn(line, `${t.key} is down: ${r?.reason ?? 'unknown reason'}`);
        else logger.info(line, `${t.key} is ${tr.to}`);
      },
    },
  });
  engine.setTargets(cfg.targets);
  writer.start();
  engine.start();
  process.send?.({ type: 'ready', memory: process.memoryUsage(), targets: cfg.targets.length, concurrency: cfg.defaults.concurrency, timeoutMs: cfg.defaults.timeoutMs });

  process.on('message', (m: { type: string }) => {
    if (m.type === 'mark') {
      // Counters since the previous mark; the parent reads our CPU from /proc at the same moment.
      process.send?.({ type: 'mark', results, failures, reasons: Object.fromEntries(reasons), skipped: { ...skipped }, lags, durations, memory: process.memoryUsage() });
      results = 0;
      failures = 0;
      reasons.clear();
      skipped.overlap = skipped.behind = skipped.claimed_elsewhere = 0;
      lags = [];
      durations = [];
    } else if (m.type === 'stop') {
      void (async () => {
        await engine.stop();
        await writer.stop();
        process.exit(0);
      })();
    }
  });
}

secretScrubber.setSecrets([]);
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), maxMs).unref();
main();
