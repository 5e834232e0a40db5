import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { parseConfig } from '../../libs/config/src/config';
import { computeSlo, cutRequests, planSlo } from '../../libs/slo/src/engine';
import { LATENCY_BUCKETS_MS } from '../../libs/slo/src/latency-buckets';
import { RollupCompactionRepository } from '../../libs/slo/src/rollup-compaction.repository';
import { RollupRepository } from '../../libs/slo/src/rollup.repository';
import { SloDataRepository } from '../../libs/slo/src/slo-data.repository';
import { SloEvaluation } from '../../libs/slo/src/slo-evaluation';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { TargetRepository } from '../../libs/storage/src/target.repository';

/**
 * bench/slo: 1,000 SLOs over 1,000 targets (a probe every 10 s) with 90 days of per-minute
 * rollups. Measures the time to compute every SLO's window numbers and all seven burn rates
 * (goal < 1 s) and the size of the rollup tables for that history (goal < 1 GB), in a scratch
 * database. 89 closed days are generated in SQL as day rows (from 64 random day patterns, each
 * row stored and compressed on its own); yesterday and today are also kept per minute (two
 * days, as the compaction keeps them for Grafana), today's closed hours copied into day rows by
 * the real compaction, hour by hour.
 *
 *   node dist/bench/slo/main.js [--targets 1000] [--days 90] [--runs 5] [--keep] [--out FILE]
 */
const GOAL_EVAL_MS = 1000;
const GOAL_BYTES = 1024 ** 3;
const root = resolve(__dirname, '../../..');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const N = 2 + LATENCY_BUCKETS_MS.length;

function options() {
  const a = process.argv.slice(2);
  const get = (k: string, d: string) => {
    const i = a.indexOf(`--${k}`);
    return i >= 0 ? a[i + 1] : (process.env[`BENCH_${k.toUpperCase()}`] ?? d);
  };
  return {
    targets: Number(get('targets', '1000')),
    days: Number(get('days', '90')),
    runs: Number(get('runs', '5')),
    keep: a.includes('--keep'),
    out: a.includes('--no-json') ? undefined : resolve(get('out', join(root, 'bench/results/slo.json'))),
    adminUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** Windows and SLIs spread over the SLOs: mostly 30-day rolling, some calendar months and quarters in several zones, some latency. */
function sloYaml(i: number): string {
  const zones = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin'];
  const t = `t${String(i).padStart(4, '0')}`;
  if (i % 10 === 1) return `  - { name: s${i}, selector: { target: ${t} }, objective: 99.9, window: month, timezone: ${zones[i % zones.length]} }`;
  if (i % 10 === 2) return `  - { name: s${i}, selector: { target: ${t} }, objective: 99.5, window: quarter, timezone: ${zones[(i >> 1) % zones.length]} }`;
  if (i % 10 === 3) return `  - { name: s${i}, selector: { target: ${t} }, sli: { kind: latency, threshold: 250ms }, objective: 99, window: 30d }`;
  if (i % 10 === 4) return `  - { name: s${i}, selector: { target: ${t} }, objective: 99.95, window: 7d }`;
  return `  - { name: s${i}, selector: { target: ${t} }, objective: 99.9, window: 30d }`;
}

async function main(): Promise<void> {
  const o = options();
  const watchdog = setTimeout(() => {
    console.error('bench/slo exceeded 20 minutes; stopping');
    process.exit(2);
  }, 20 * 60_000);
  watchdog.unref();
  console.log(`bench/slo: ${o.targets} SLOs over ${o.targets} targets (10 s probes), ${o.days} days of rollups`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, node ${process.version}`);

  const dbName = 'nines_bench_slo';
  const admin = new Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(o.adminUrl);
  url.pathname = `/${dbName}`;
  const ds = createDataSource(url.toString(), { poolSize: 4, applicationName: 'nines-bench-slo' });
  await ds.initialize();
  await migrate(ds);

  const yaml = `targets:\n${Array.from({ length: o.targets }, (_, i) => `  - { name: t${String(i).padStart(4, '0')}, probe: { kind: http, url: "http://127.0.0.1:1/${i}" }, interval: 10s, labels: { team: "g${i % 20}" } }`).join('\n')}\nslos:\n${Array.from({ length: o.targets }, (_, i) => sloYaml(i)).join('\n')}\n`;
  const config = parseConfig(yaml, {});
  await new TargetRepository(ds).sync(config);

  const now = Date.now();
  const today = Math.floor(now / DAY) * DAY;
  const openHour = Math.floor(now / HOUR) * HOUR;
  const iso = (t: number) => new Date(t).toISOString();

  // 1. Closed days: 64 random day patterns, each a [1440][13] minute array, its hour sums and
  //    totals; 89 days × targets rows, each picking a pattern. ~0.1% failed probes, rare
  //    outages, latencies mostly under 50 ms with a tail past 250 ms.
  let t0 = process.hrtime.bigint();
  const lat = (s: string, f25: string, f50: string, f250: string) => LATENCY_BUCKETS_MS.map((b) => (b < 25 ? '0' : b < 50 ? f25 : b < 100 ? f50 : b < 250 ? f50 : b < 500 ? f250 : s)).join(', ');
  await ds.query(`
    create temp table bench_minutes as
    select p, i, array[6, s, ${lat('s', 'f25', 'f50', 'f250')}]::int[] as v
      from generate_series(0, 63) p, generate_series(0, 1439) i,
           lateral (select case when random() < 0.0005 then 0 when random() < 0.005 then 5 else 6 end + 0 * p + 0 * i as s) a,
           lateral (select floor(random() * (a.s + 1))::int as f25, a.s - (random() < 0.1)::int as f50, a.s - (random() < 0.02)::int as f250) b`);
  // Stored uncompressed, so each day row below is compressed and moved out of line on its own,
  // exactly as the compaction's rows are (a value copied already compressed would stay inline).
  await ds.query(`create temp table bench_patterns (p int, m_avail smallint[], m_lat smallint[], h_avail int[], h_lat int[], total int, good int, lat int[])`);
  await ds.query(`alter table bench_patterns ${['m_avail', 'm_lat', 'h_avail', 'h_lat'].map((c) => `alter column ${c} set storage external`).join(', ')}`);
  await ds.query(`
    insert into bench_patterns
    with hours as (
      select p, i / 60 as hr, array[${Array.from({ length: N }, (_, k) => `sum(v[${k + 1}])`).join(', ')}]::int[] as hv from bench_minutes group by 1, 2
    )
    select m.p, m.ma, m.ml, h.ha, h.hl, t.total, t.good, t.lat
      from (select p, array_agg(v[1:2]::smallint[] order by i) as ma, array_agg(v[3:${N}]::smallint[] order by i) as ml from bench_minutes group by p) m
      join (select p, array_agg(hv[1:2] order by hr) as ha, array_agg(hv[3:${N}] order by hr) as hl from hours group by p) h using (p)
      join (select p, sum(v[1])::int as total, sum(v[2])::int as good, array[${LATENCY_BUCKETS_MS.map((_, k) => `sum(v[${k + 3}])::int`).join(', ')}] as lat from bench_minutes group by p) t using (p)`);
  const closedDays = o.days - 1;
  await ds.query(
    `insert into probe_rollup_day (series_id, day, total, good, lat, latency_sum_ms, latency_max_ms, h_avail, m_avail, h_lat, m_lat)
     select t.id, d::date, p.total, p.good, p.lat, 40.0 * p.good, 900, p.h_avail, p.m_avail, p.h_lat, p.m_lat
       from targets t cross join generate_series($1::date, $2::date, interval '1 day') d
       join bench_patterns p on p.p = (t.id * 7 + (extract(epoch from d)::bigint / 86400) * 13) % 64
      order by 1, 2`,
    [iso(today - closedDays * DAY).slice(0, 10), iso(today - DAY).slice(0, 10)],
  );
  const generateDaysMs = ms(t0);
  console.log(`generated ${closedDays} closed days × ${o.targets} targets as day rows in ${(generateDaysMs / 1000).toFixed(1)} s`);

  // 2. Today, as the result writer and the compaction leave it: each hour written per minute,
  //    then copied into the day rows by the real compaction once closed.
  const insertMinutes = (from: number, to: number) =>
    ds.query(
      `insert into probe_rollup_minute (target_id, minute, total, successes, latency_sum_ms, latency_max_ms, ${LATENCY_BUCKETS_MS.map((b) => `lat_le_${b}`).join(', ')})
       select t.id, m, 6, x.v[2], 40.0 * x.v[2], 300, ${LATENCY_BUCKETS_MS.map((_, k) => `x.v[${k + 3}]`).join(', ')}
         from targets t cross join generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') m
         join bench_minutes x on x.p = t.id % 64 and x.i = (extract(epoch from m)::bigint / 60) % 1440
        order by 1, 2`,
      [iso(from), iso(to)],
    );
  // Yesterday's minutes are still kept per minute (two days, for Grafana); their day rows
  // exist, so the compaction's watermark starts today.
  t0 = process.hrtime.bigint();
  await insertMinutes(today - DAY, today);
  await ds.query(`update slo_rollup_state set at = $1 where key = 'compacted_before'`, [iso(today)]);
  const yesterdayMs = ms(t0);
  t0 = process.hrtime.bigint();
  const hourly: number[] = [];
  let moved = 0;
  for (let h = today; h < openHour; h += HOUR) {
    await insertMinutes(h, h + HOUR);
    const c0 = process.hrtime.bigint();
    const compactor = new RollupCompactionRepository(ds);
    const r = await compactor.compact({ now: h + HOUR + 5 * 60_000 });
    hourly.push(ms(c0));
    await compactor.vacuumHot(); // as the worker does after each run
    moved += r?.movedMinutes ?? 0;
  }
  await insertMinutes(openHour, Math.floor(now / 60_000) * 60_000);
  const todayMs = ms(t0);
  const keptMinutes = Number((await ds.query(`select count(*) as n from probe_rollup_minute`))[0].n);
  const compaction = { hours: hourly.length, movedMinutes: moved, hourMedianMs: hourly.length ? Math.round(median(hourly)) : 0, hourMaxMs: hourly.length ? Math.round(Math.max(...hourly)) : 0 };
  console.log(
    `yesterday per minute in ${(yesterdayMs / 1000).toFixed(1)} s; today: ${hourly.length} closed hours written per minute and compacted hour by hour (${moved} minute rows copied; ${compaction.hourMedianMs} ms median, ${compaction.hourMaxMs} ms max per hour); ${keptMinutes} per-minute rows kept; ${(todayMs / 1000).toFixed(1)} s`,
  );

  // One more closed hour, as the hourly job sees it: 60 minutes × targets.
  await ds.query('vacuum analyze');
  const size = async (rel: string) =>
    Number((await ds.query(`select coalesce(sum(pg_total_relation_size(c.oid)), 0) as b from pg_class c where c.oid = $1::regclass or c.oid in (select inhrelid from pg_inherits where inhparent = $1::regclass)`, [rel]))[0].b);
  const dayBytes = await size('probe_rollup_day');
  const minuteBytes = await size('probe_rollup_minute');
  const dayRows = Number((await ds.query(`select count(*) as n from probe_rollup_day`))[0].n);
  const heapBytes = Number((await ds.query(`select pg_relation_size('probe_rollup_day') as b`))[0].b);
  const toastBytes = Number((await ds.query(`select pg_total_relation_size(reltoastrelid) as b from pg_class where oid = 'probe_rollup_day'::regclass`))[0].b);
  console.log(`rollup storage: probe_rollup_day ${mb(dayBytes)} (${dayRows} rows; heap ${mb(heapBytes)}, TOAST ${mb(toastBytes)}) + probe_rollup_minute ${mb(minuteBytes)} = ${mb(dayBytes + minuteBytes)}`);

  // 3. Every SLO's window numbers and seven burn rates, cold first, then warm.
  const data = new SloDataRepository(ds);
  const rollups = new RollupRepository(ds);
  const evaluation = new SloEvaluation(data, rollups);
  const defs = await evaluation.definitions(config);
  const runs: { totalMs: number; readMs: number; computeMs: number; setupMs: number }[] = [];
  let reports: ReturnType<typeof computeSlo>[] = [];
  for (let r = 0; r < o.runs; r++) {
    const at = Date.now();
    const a = process.hrtime.bigint();
    const registry = await data.registry();
    const inputs = await data.exclusionInputs(at - 100 * DAY, at, new Map());
    const plans = defs.map((d) => planSlo(d, registry, inputs, at));
    const reqs = cutRequests(plans);
    const setupMs = ms(a);
    const b = process.hrtime.bigint();
    const counts = await rollups.counts(reqs);
    const readMs = ms(b);
    const c = process.hrtime.bigint();
    reports = plans.map((p) => computeSlo(p, counts));
    const computeMs = ms(c);
    runs.push({ totalMs: ms(a), readMs, computeMs, setupMs });
    console.log(`run ${r + 1}: ${runs[r].totalMs.toFixed(0)} ms for ${reports.length} SLOs (setup ${setupMs.toFixed(0)}, rollup read ${readMs.toFixed(0)}, numbers ${computeMs.toFixed(0)})`);
  }
  // The same through the service's entry point (what the API, /metrics and the alerts call).
  const e = process.hrtime.bigint();
  const viaService = await evaluation.evaluate(defs, config, Date.now());
  const serviceMs = ms(e);
  const warm = runs.slice(1).length ? runs.slice(1) : runs;

  // 4. Spot check: three SLOs against a brute-force sum over the raw minute arrays.
  const check = async (name: string) => {
    const rep = reports.find((x) => x.plan.def.name === name)!;
    const w = rep.plan.window;
    const id = rep.plan.selection.series[0].id;
    const [row] = await ds.query(
      `select coalesce(sum(t), 0)::float8 as total, coalesce(sum(g), 0)::float8 as good from (
         select d.m_avail[i][1] as t, d.m_avail[i][2] as g from probe_rollup_day d, generate_series(1, 1440) i
          where d.series_id = $1 and (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute' >= $2 and (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute' < $3
         union all
         select total, successes from probe_rollup_minute
          where target_id = $1 and minute >= $2 and minute < $3 and minute >= (select at from slo_rollup_state where key = 'compacted_before')) x`,
      [id, new Date(w.start), new Date(w.end)],
    );
    const ok = Number(row.total) === rep.numbers.valid && Number(row.good) === rep.numbers.good;
    console.log(`check ${name} (${w.label}): engine ${rep.numbers.good}/${rep.numbers.valid}, brute force ${row.good}/${row.total}: ${ok ? 'equal' : 'DIFFERENT'}`);
    return ok;
  };
  const exact = (await Promise.all(['s0', 's11', 's22'].map(check))).every(Boolean);

  const evalMs = median(warm.map((r) => r.totalMs));
  const total = dayBytes + minuteBytes;
  const goals = {
    evaluate: { goal: `every SLO's window numbers and 7 burn rates < ${GOAL_EVAL_MS} ms`, valueMs: Math.round(evalMs), coldMs: Math.round(runs[0].totalMs), result: evalMs < GOAL_EVAL_MS ? 'PASS' : 'MISS' },
    storage: { goal: `rollup tables for ${o.days} days < 1 GB (day rows + two days per minute)`, bytes: total, result: total < GOAL_BYTES ? 'PASS' : 'MISS' },
    exact: { goal: 'window counts equal a brute-force sum over the minutes', result: exact ? 'PASS' : 'MISS' },
  };
  console.log(`\nall ${o.targets} SLOs: ${evalMs.toFixed(0)} ms warm median (cold ${runs[0].totalMs.toFixed(0)} ms; via SloEvaluation.evaluate ${serviceMs.toFixed(0)} ms) — goal < ${GOAL_EVAL_MS} ms: ${goals.evaluate.result}`);
  console.log(`rollups for ${o.days} days: ${mb(total)} — goal < 1 GB: ${goals.storage.result}`);
  console.log(`exact counts: ${goals.exact.result}`);

  if (o.out) {
    mkdirSync(resolve(o.out, '..'), { recursive: true });
    writeFileSync(
      o.out,
      JSON.stringify(
        {
          benchmark: 'slo',
          at: new Date().toISOString(),
          machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, loadAverage: os.loadavg() },
          setup: { slos: defs.length, targets: o.targets, days: o.days, probeIntervalSeconds: 10, sloMix: '60% 30d, 10% 7d, 10% month, 10% quarter (5 time zones), 10% latency 250ms 30d' },
          generation: { closedDaysMs: Math.round(generateDaysMs), todayMs: Math.round(todayMs), keptMinuteRows: keptMinutes, hourlyCompaction: compaction },
          storage: { probeRollupDayBytes: dayBytes, heapBytes, toastBytes, dayRows, probeRollupMinuteBytes: minuteBytes, totalBytes: total, bytesPerTargetDay: Math.round(dayBytes / Math.max(1, dayRows)) },
          evaluation: { runs: runs.map((r) => ({ totalMs: +r.totalMs.toFixed(1), setupMs: +r.setupMs.toFixed(1), readMs: +r.readMs.toFixed(1), computeMs: +r.computeMs.toFixed(1) })), warmMedianMs: +evalMs.toFixed(1), viaServiceMs: +serviceMs.toFixed(1), slosEvaluated: viaService.length },
          goals,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`wrote ${o.out}`);
  }
  await ds.destroy();
  if (!o.keep) {
    const c = new Client({ connectionString: o.adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
