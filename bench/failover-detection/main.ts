import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { formatDuration, parseDuration } from '../../libs/common/src/duration';
import { labPostgresMembers, labRedisSystem, listenForSwitchMaster, pgIsPrimary, startNinesCase, waitForIncident, waitHealthy, type NinesCase } from '../../test/support/chaos';
import { LAB_PORTS, labBreak, labDown, labUp } from '../../test/support/lab';
import { sleep, waitFor } from '../../test/support/wait';

/**
 * bench/failover-detection: repeats two lab drills and measures how soon Nines knew, against the
 * bench's own clock.
 *
 *  - postgres (polled): kill -9 the primary, promote the replica after --promote-after, rejoin the
 *    old primary. Detection latency = when Nines recorded the primary's member_down (events.recorded_at)
 *    − the kill; goal ≤ interval + timeout. RTO error = Nines' RTO − the bench's RTO (the kill → the
 *    first time the bench, asking the replica every few ms, finds it accepting writes); goal within
 *    ± one interval.
 *  - sentinel (event-driven): kill -9 the Redis master. Detection latency = when Nines recorded
 *    switch_master (events.recorded_at) − when the bench, subscribed to every Sentinel itself, first
 *    heard +switch-master; goal < 200 ms.
 *
 * Each run gets a fresh Nines on a fresh database, so every drill is its own incident.
 *
 *   node dist/bench/failover-detection/main.js [--runs 5] [--only postgres|sentinel]
 *     [--interval 1s] [--timeout 500ms] [--promote-after 1s] [--keep-lab] [--out FILE | --no-json]
 */
const GOAL_EVENT_MS = 200;
const root = resolve(__dirname, '../../..');
const REDIS_KEY = 'bench-failover-detection';

interface Options {
  runs: number;
  only?: 'postgres' | 'sentinel';
  intervalMs: number;
  timeoutMs: number;
  promoteAfterMs: number;
  keepLab: boolean;
  out?: string;
}

function parseOptions(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--no-json' || a === '--keep-lab') flags.set(a.slice(2), '1');
    else flags.set(a.slice(2), argv[++i] ?? '');
  }
  const known = ['runs', 'only', 'interval', 'timeout', 'promote-after', 'keep-lab', 'out', 'no-json'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => '--' + x).join(' ')})`);
  const duration = (flag: string, def: string) => {
    const v = flags.get(flag) ?? def;
    const ms = parseDuration(v);
    if (!ms) throw new Error(`--${flag} ${v} is not a duration (e.g. 500ms, 1s)`);
    return ms;
  };
  const runs = Number(flags.get('runs') ?? '5');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const only = flags.get('only');
  if (only !== undefined && only !== 'postgres' && only !== 'sentinel') throw new Error('--only must be postgres or sentinel');
  const intervalMs = duration('interval', '1s');
  const timeoutMs = duration('timeout', '500ms');
  if (timeoutMs > intervalMs) throw new Error('--timeout must not exceed --interval');
  return {
    runs,
    only,
    intervalMs,
    timeoutMs,
    promoteAfterMs: duration('promote-after', '1s'),
    keepLab: flags.has('keep-lab'),
    out: flags.has('no-json') ? undefined : resolve(flags.get('out') ?? join(root, 'bench/results/failover-detection.json')),
  };
}

const defaults = (o: Options) => `defaults: { interval: ${formatDuration(o.intervalMs)}, timeout: ${formatDuration(o.timeoutMs)} }`;

/** Median and max; undefined for no values. */
function stats(values: number[]): { median?: number; max?: number; n: number } {
  if (!values.length) return { n: 0 };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1], n: s.length };
}

const ms = (v: number | undefined) => (v === undefined ? '—' : `${Math.round(v)} ms`);

async function eventRecorded(c: NinesCase, system: string, kind: string, member?: string): Promise<{ at: number; recordedAt: number }> {
  return waitFor(`Nines recording ${kind} on ${system}`, async () => {
    const { rows } = await c.sql.query<{ at: Date; recorded_at: Date }>(
      `select at, recorded_at from events where system = $1 and kind = $2 and ($3::text is null or member = $3) order by id limit 1`,
      [system, kind, member ?? null],
    );
    return rows[0] ? { at: rows[0].at.getTime(), recordedAt: rows[0].recorded_at.getTime() } : undefined;
  }, 30_000, 20);
}

/** Asks one lab node over one connection, every `everyMs`, until it says it is no longer in recovery. */
async function watchPromotion(port: number, everyMs = 5): Promise<{ promotedAt: Promise<number>; stop(): Promise<void> }> {
  const c = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 });
  c.on('error', () => undefined);
  await c.connect();
  let stopped = false;
  const promotedAt = (async () => {
    while (!stopped) {
      const r = await c.query<{ r: boolean }>('select pg_is_in_recovery() as r');
      if (!r.rows[0].r) return Date.now();
      await sleep(everyMs);
    }
    throw new Error('stopped before the promotion');
  })();
  promotedAt.catch(() => undefined);
  return {
    promotedAt,
    async stop() {
      stopped = true;
      await c.end().catch(() => undefined);
    },
  };
}

interface PostgresRun {
  run: number;
  killed_primary: string;
  detection_ms: number;
  detection_result: 'PASS' | 'MISS';
  bench_rto_ms: number;
  nines_rto_ms: number;
  rto_error_ms: number;
  rto_result: 'PASS' | 'MISS';
  nines_failover_ms?: number;
  time_to_detect_ms?: number;
}

async function postgresRun(o: Options, run: number): Promise<PostgresRun> {
  await labUp(['postgres']);
  const primaryPort = (await pgIsPrimary(LAB_PORTS.pg1, 2000)) ? LAB_PORTS.pg1 : LAB_PORTS.pg2;
  const replicaPort = primaryPort === LAB_PORTS.pg1 ? LAB_PORTS.pg2 : LAB_PORTS.pg1;
  const primary = primaryPort === LAB_PORTS.pg1 ? 'pg1' : 'pg2';
  const c = await startNinesCase(`bench_failover_pg_${run}`, REDIS_KEY, `${defaults(o)}
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    expect: { primaries: 1, min_replicas: 1 }
    members:${labPostgresMembers()}
`);
  try {
    await waitHealthy(c, ['orders-db']);
    const watch = await watchPromotion(replicaPort);
    let promotedAt: number;
    let killedAt: number;
    try {
      killedAt = await labBreak('pg-kill-primary');
      // An orchestrator's own detection, independent of Nines.
      await sleep(Math.max(0, killedAt + o.promoteAfterMs - Date.now()));
      await labBreak('pg-promote-replica');
      promotedAt = await watch.promotedAt;
    } finally {
      await watch.stop();
    }
    const down = await eventRecorded(c, 'orders-db', 'member_down', primary);
    const { incident } = await waitForIncident(c, 'orders-db', 'RTO measured', (_t, i) => i.measurements?.rto?.value_ms !== undefined, 30_000);
    const m = incident.measurements;
    const benchRto = promotedAt - killedAt;
    const detection = down.recordedAt - killedAt;
    const error = m.rto.value_ms - benchRto;
    await labBreak('pg-rejoin-old-primary');
    return {
      run,
      killed_primary: primary,
      detection_ms: detection,
      detection_result: detection <= o.intervalMs + o.timeoutMs ? 'PASS' : 'MISS',
      bench_rto_ms: benchRto,
      nines_rto_ms: m.rto.value_ms,
      rto_error_ms: error,
      rto_result: Math.abs(error) <= o.intervalMs ? 'PASS' : 'MISS',
      nines_failover_ms: m.failover_duration?.value_ms,
      time_to_detect_ms: m.time_to_detect?.value_ms,
    };
  } finally {
    await c.stop();
  }
}

interface SentinelRun {
  run: number;
  sentinel_failover_ms: number;
  detection_ms: number;
  nines_received_ms: number;
  detection_result: 'PASS' | 'MISS';
  /** kill → +switch-master: from then on a client asking the Sentinels is sent to a live master. */
  bench_rto_ms: number;
  nines_rto_ms: number;
  rto_error_ms: number;
  rto_result: 'PASS' | 'MISS';
}

async function sentinelRun(o: Options, run: number): Promise<SentinelRun> {
  await labUp(['redis-sentinel']);
  const c = await startNinesCase(`bench_failover_sentinel_${run}`, REDIS_KEY, `${defaults(o)}
systems:${labRedisSystem()}
`);
  const listener = await listenForSwitchMaster();
  try {
    await waitHealthy(c, ['lab-redis']);
    await sleep(1000); // Nines' subscriptions to the sentinels settle
    const killedAt = await labBreak('redis-kill-master');
    const announced = await waitFor('a Sentinel announcing +switch-master', () => listener.announced[0], 30_000, 5);
    const sw = await eventRecorded(c, 'lab-redis', 'switch_master');
    const detection = sw.recordedAt - announced.at;
    const { incident } = await waitForIncident(c, 'lab-redis', 'RTO measured', (_t, i) => i.measurements?.rto?.value_ms !== undefined, 30_000);
    const benchRto = announced.at - killedAt;
    const error = incident.measurements.rto.value_ms - benchRto;
    await labBreak('redis-restart-old-master');
    return {
      run,
      sentinel_failover_ms: announced.at - killedAt,
      detection_ms: detection,
      nines_received_ms: sw.at - announced.at,
      detection_result: detection < GOAL_EVENT_MS ? 'PASS' : 'MISS',
      bench_rto_ms: benchRto,
      nines_rto_ms: incident.measurements.rto.value_ms,
      rto_error_ms: error,
      rto_result: Math.abs(error) <= o.intervalMs ? 'PASS' : 'MISS',
    };
  } finally {
    listener.close();
    await c.stop();
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const load0 = os.loadavg();
  console.log(`failover-detection: ${o.runs} run(s) of ${o.only ?? 'postgres and sentinel'}; interval ${formatDuration(o.intervalMs)}, timeout ${formatDuration(o.timeoutMs)}`);
  const pg: PostgresRun[] = [];
  const sentinel: SentinelRun[] = [];
  const brought: ('postgres' | 'redis-sentinel')[] = [];
  if (o.only !== 'sentinel') brought.push('postgres');
  if (o.only !== 'postgres') brought.push('redis-sentinel');
  try {
    await labUp(brought);
    for (let run = 1; run <= o.runs; run++) {
      if (o.only !== 'sentinel') {
        const r = await postgresRun(o, run);
        pg.push(r);
        console.log(
          `postgres #${run}: kill ${r.killed_primary}; Nines knew after ${ms(r.detection_ms)} (${r.detection_result}); RTO bench ${ms(r.bench_rto_ms)}, Nines ${ms(r.nines_rto_ms)}, error ${ms(r.rto_error_ms)} (${r.rto_result})`,
        );
      }
      if (o.only !== 'postgres') {
        const r = await sentinelRun(o, run);
        sentinel.push(r);
        console.log(
          `sentinel #${run}: +switch-master ${ms(r.sentinel_failover_ms)} after the kill; Nines received it after ${ms(r.nines_received_ms)} and recorded it after ${ms(r.detection_ms)} (${r.detection_result}); RTO bench ${ms(r.bench_rto_ms)}, Nines ${ms(r.nines_rto_ms)}, error ${ms(r.rto_error_ms)} (${r.rto_result})`,
        );
      }
    }
  } finally {
    if (!o.keepLab) await labDown(brought).catch((err) => console.error(`lab down failed: ${err.message}`));
  }

  const pgDetect = stats(pg.map((r) => r.detection_ms));
  const pgErr = stats(pg.map((r) => Math.abs(r.rto_error_ms)));
  const sDetect = stats(sentinel.map((r) => r.detection_ms));
  const sErr = stats(sentinel.map((r) => Math.abs(r.rto_error_ms)));
  const verdict = (ok: boolean, n: number) => (n ? (ok ? 'PASS' : 'MISS') : 'n/a');
  const goals = {
    event_driven_detection: {
      goal: `Sentinel +switch-master recorded < ${GOAL_EVENT_MS} ms after Sentinel announced it`,
      median_ms: sDetect.median,
      max_ms: sDetect.max,
      result: verdict(sDetect.max !== undefined && sDetect.max < GOAL_EVENT_MS, sDetect.n),
    },
    polled_detection: {
      goal: `PostgreSQL primary loss recorded ≤ interval + timeout (${o.intervalMs + o.timeoutMs} ms) after the kill`,
      median_ms: pgDetect.median,
      max_ms: pgDetect.max,
      result: verdict(pgDetect.max !== undefined && pgDetect.max <= o.intervalMs + o.timeoutMs, pgDetect.n),
    },
    rto_error: {
      goal: `|Nines' RTO − the bench's RTO| ≤ one interval (${o.intervalMs} ms)`,
      median_ms: pgErr.median,
      max_ms: pgErr.max,
      result: verdict(pgErr.max !== undefined && pgErr.max <= o.intervalMs, pgErr.n),
    },
    sentinel_rto_error: {
      goal: `|Nines' RTO − kill → +switch-master| ≤ one interval (${o.intervalMs} ms), Sentinel as the endpoint`,
      median_ms: sErr.median,
      max_ms: sErr.max,
      result: verdict(sErr.max !== undefined && sErr.max <= o.intervalMs, sErr.n),
    },
  };
  console.log('');
  console.log(`                        median     max        goal`);
  for (const [name, g] of Object.entries(goals)) console.log(`${name.padEnd(24)}${ms(g.median_ms).padEnd(11)}${ms(g.max_ms).padEnd(11)}${g.result.padEnd(5)} ${g.goal}`);

  if (o.out) {
    const report = {
      bench: 'failover-detection',
      at: new Date(started).toISOString(),
      took_s: Math.round((Date.now() - started) / 1000),
      machine: { cpus: os.cpus().length, load_average_before: load0.map((x) => Math.round(x * 100) / 100), load_average_after: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      options: { runs: o.runs, only: o.only ?? 'both', interval_ms: o.intervalMs, timeout_ms: o.timeoutMs, promote_after_ms: o.promoteAfterMs },
      goals,
      postgres: { runs: pg, detection_ms: pgDetect, rto_abs_error_ms: pgErr, rto_error_ms: stats(pg.map((r) => r.rto_error_ms)) },
      sentinel: { runs: sentinel, detection_ms: sDetect, sentinel_failover_ms: stats(sentinel.map((r) => r.sentinel_failover_ms)), rto_abs_error_ms: sErr, rto_error_ms: stats(sentinel.map((r) => r.rto_error_ms)) },
    };
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwritten to ${o.out}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`failover-detection: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
