import type { DataSource, QueryRunner } from 'typeorm';
import { LATENCY_BUCKETS_MS, bucketColumn } from './latency-buckets';
import { COMPACTED_BEFORE } from './rollup.repository';
import { DAY, HOUR } from './window';

export const COMPACTION_LOCK_ID = 7_297_297_006;
const LAT = LATENCY_BUCKETS_MS.map(bucketColumn);
const N = 2 + LAT.length;
const ZERO_VEC = `array_fill(0, array[${N}])`;

/** Per-minute rows are kept this long for Grafana and SQL (the day rows keep the SLO history). */
export const MINUTE_ROLLUP_RETENTION_MS = 2 * DAY;
/** At most this much per-minute history is copied in one run (catching up after an upgrade). */
const MAX_COPY_MS = 7 * DAY;

export interface CompactionResult {
  cutoff: number;
  /** Minutes before this are in the day rows now. */
  watermark: number;
  /** Target minute rows copied (or merged, when late) into day rows. */
  movedMinutes: number;
  /** Day rows merged by assigning whole slices (the usual case) or point by point (late results). */
  daysFast: number;
  daysMerged: number;
  daysDropped: number;
  /** Per-minute rows older than MINUTE_ROLLUP_RETENTION_MS deleted. */
  minutesDropped: number;
}

/**
 * Copies closed hours of probe_rollup_minute into probe_rollup_day and advances the watermark
 * `compacted_before` in the same transaction, so a minute is copied exactly once (a second
 * worker waits on the advisory lock and finds the watermark moved). A result that arrives late,
 * for an hour already copied, is also written to probe_rollup_late by the result writer; the
 * next run merges it (added for targets; "any member" for system series) and deletes it.
 * Per-minute rows stay MINUTE_ROLLUP_RETENTION_MS for Grafana and SQL.
 */
export class RollupCompactionRepository {
  constructor(private readonly ds: DataSource) {}

  /** Returns undefined when another replica holds the lock. */
  async compact(opts: { now: number; graceMs?: number; retentionMs?: number; minuteRetentionMs?: number }): Promise<CompactionResult | undefined> {
    const cutoff = Math.floor((opts.now - (opts.graceMs ?? 5 * 60_000)) / HOUR) * HOUR;
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      const [{ locked }] = await qr.query('select pg_try_advisory_lock($1) as locked', [COMPACTION_LOCK_ID]);
      if (!locked) return undefined;
      try {
        await qr.query('begin');
        let result: Omit<CompactionResult, 'daysDropped' | 'minutesDropped'>;
        try {
          result = await this.copy(qr, cutoff);
          await qr.query('commit');
        } catch (err) {
          await qr.query('rollback').catch(() => undefined);
          throw err;
        }
        // Retention, outside the transaction that held the watermark (a writer of a very late
        // result may hold one of these rows while it waits for the watermark).
        let daysDropped = 0;
        let minutesDropped = 0;
        if (opts.retentionMs) {
          const keepFrom = new Date(Math.floor((opts.now - opts.retentionMs) / DAY) * DAY).toISOString().slice(0, 10);
          daysDropped = (await qr.query(`with d as (delete from probe_rollup_day where day < $1::date returning 1) select count(*)::int as n from d`, [keepFrom]))[0].n;
        }
        const keepMinutes = new Date(Math.min(result.watermark, Math.floor((opts.now - (opts.minuteRetentionMs ?? MINUTE_ROLLUP_RETENTION_MS)) / HOUR) * HOUR));
        minutesDropped = (await qr.query(`with d as (delete from probe_rollup_minute where minute < $1 returning 1) select count(*)::int as n from d`, [keepMinutes]))[0].n;
        return { ...result, daysDropped, minutesDropped };
      } finally {
        await qr.query('select pg_advisory_unlock($1)', [COMPACTION_LOCK_ID]).catch(() => undefined);
      }
    } finally {
      await qr.release();
    }
  }

  /**
   * Makes the space of deleted minute rows reusable at once (autovacuum would, later), so the
   * per-minute table stays the size of its retention. Outside any transaction, as VACUUM must be.
   */
  async vacuumHot(): Promise<void> {
    await this.ds.query('vacuum (analyze) probe_rollup_minute');
  }

  private async copy(qr: QueryRunner, cutoff: number): Promise<Omit<CompactionResult, 'daysDropped' | 'minutesDropped'>> {
    await qr.query(`insert into slo_system_series (system) select distinct system from targets where system is not null order by 1 on conflict do nothing`);
    // The watermark, locked: result writers read it FOR SHARE, so this waits for the ones in
    // flight, and the ones after us see the new value (and send older minutes to probe_rollup_late).
    const [state] = await qr.query(`select at from slo_rollup_state where key = $1 for update`, [COMPACTED_BEFORE]);
    let from: number = state && Number.isFinite(new Date(state.at).getTime()) ? new Date(state.at).getTime() : -Infinity;
    if (!state) await qr.query(`insert into slo_rollup_state (key, at) values ($1, '-infinity')`, [COMPACTED_BEFORE]);
    if (from === -Infinity) {
      // First run (or after an upgrade): start at the oldest minute, a week per run.
      const [{ first }] = await qr.query(`select min(minute) as first from probe_rollup_minute where minute < $1`, [new Date(cutoff)]);
      from = first ? Math.floor(new Date(first).getTime() / DAY) * DAY : cutoff;
    }
    const to = Math.max(from, Math.min(cutoff, from + MAX_COPY_MS));
    // The copied minutes and the late ones, as (series, minute, 13 counts): targets, then the
    // "any member" series of systems. Late minutes are older than `from`, so the two never overlap.
    await qr.query(
      `
      create temp table slo_moved_points on commit drop as
      with late as (
        delete from probe_rollup_late returning target_id, minute, total, successes, latency_sum_ms, latency_max_ms, ${LAT.join(', ')}
      ), moved as (
        select target_id, minute, total, successes, latency_sum_ms, latency_max_ms, ${LAT.join(', ')}
          from probe_rollup_minute where minute >= $1 and minute < $2
        union all
        select * from late
      )
      select target_id as series_id, minute, array[total, successes, ${LAT.join(', ')}]::int[] as v, latency_sum_ms as lsum, latency_max_ms as lmax from moved
      union all
      select -s.id, x.minute, array[1, (x.successes > 0)::int, ${LAT.map((c) => `(x.${c} > 0)::int`).join(', ')}], null, null
        from (select t.system, mv.minute, sum(mv.total) as total, sum(mv.successes) as successes, ${LAT.map((c) => `sum(mv.${c}) as ${c}`).join(', ')}
                from moved mv join targets t on t.id = mv.target_id
               where t.system is not null and not t.is_endpoint
               group by 1, 2) x
        join slo_system_series s on s.system = x.system
       where x.total > 0`,
      [new Date(from), new Date(to)],
    );
    const [{ n: movedMinutes }] = await qr.query(`select count(*)::int as n from slo_moved_points where series_id > 0`);
    await qr.query(`
      create temp table slo_moved_days on commit drop as
      select series_id, (minute at time zone 'UTC')::date as day, ((extract(epoch from minute)::bigint / 60) % 1440)::int as idx, v, lsum, lmax
        from slo_moved_points`);
    // Temporary tables have no statistics until analysed; without them the joins below nest loops.
    await qr.query(`analyze slo_moved_days`);
    // Per (series, day): the dense slice of minutes [lo, hi] and of hours [hlo, hhi] with the
    // moved counts, day totals, and the points themselves for the slow path.
    await qr.query(`
      create temp table slo_day_deltas on commit drop as
      with b as (
        select series_id, day, min(idx) as lo, max(idx) as hi,
               array_agg(idx order by idx) as idx, array_agg(v order by idx) as vals,
               sum(lsum) as lsum, max(lmax) as lmax,
               ${Array.from({ length: N }, (_, i) => `sum(v[${i + 1}])::int as c${i + 1}`).join(', ')}
          from slo_moved_days group by 1, 2
      ), hours as (
        select series_id, day, idx / 60 as hr, array[${Array.from({ length: N }, (_, i) => `sum(v[${i + 1}])`).join(', ')}]::int[] as hv
          from slo_moved_days group by 1, 2, 3
      ), dm as (
        select b.series_id, b.day,
               array_agg((coalesce(p.v, ${ZERO_VEC}))[1:2]::smallint[] order by g.i) as dm_avail,
               array_agg((coalesce(p.v, ${ZERO_VEC}))[3:${N}]::smallint[] order by g.i) as dm_lat
          from b cross join lateral generate_series(b.lo, b.hi) g(i)
          left join slo_moved_days p on p.series_id = b.series_id and p.day = b.day and p.idx = g.i
         group by 1, 2
      ), dh as (
        select b.series_id, b.day,
               array_agg((coalesce(hh.hv, ${ZERO_VEC}))[1:2] order by g.i) as dh_avail,
               array_agg((coalesce(hh.hv, ${ZERO_VEC}))[3:${N}] order by g.i) as dh_lat
          from b cross join lateral generate_series(b.lo / 60, b.hi / 60) g(i)
          left join hours hh on hh.series_id = b.series_id and hh.day = b.day and hh.hr = g.i
         group by 1, 2
      )
      select b.*, dm.dm_avail, dm.dm_lat, b.lo / 60 as hlo, b.hi / 60 as hhi, dh.dh_avail, dh.dh_lat
        from b join dm using (series_id, day) join dh using (series_id, day)`);
    await qr.query(`analyze slo_day_deltas`);
    await qr.query(`
      insert into probe_rollup_day (series_id, day, total, good, lat, h_avail, m_avail, h_lat, m_lat)
      select series_id, day, 0, 0, array_fill(0, array[${LAT.length}]), array_fill(0, array[24, 2]), array_fill(0::smallint, array[1440, 2]),
             array_fill(0, array[24, ${LAT.length}]), array_fill(0::smallint, array[1440, ${LAT.length}])
        from slo_day_deltas order by 1, 2
      on conflict do nothing`);
    // Fast path: nothing recorded yet in those minutes and hours (a minute's latency counts never
    // exceed its total, so a zero total means zero everywhere): the slices are assigned whole.
    const fast = await qr.query(`
      with f as (
        update probe_rollup_day d
           set m_avail[x.lo + 1:x.hi + 1][1:2] = x.dm_avail,
               m_lat[x.lo + 1:x.hi + 1][1:${LAT.length}] = x.dm_lat,
               h_avail[x.hlo + 1:x.hhi + 1][1:2] = x.dh_avail,
               h_lat[x.hlo + 1:x.hhi + 1][1:${LAT.length}] = x.dh_lat,
               total = d.total + x.c1,
               good = d.good + x.c2,
               lat = array[${LAT.map((_, i) => `d.lat[${i + 1}] + x.c${i + 3}`).join(', ')}],
               latency_sum_ms = case when d.series_id > 0 then coalesce(d.latency_sum_ms, 0) + coalesce(x.lsum, 0) end,
               latency_max_ms = case when d.series_id > 0 then greatest(d.latency_max_ms, x.lmax) end,
               updated_at = now()
          from slo_day_deltas x
         where d.series_id = x.series_id and d.day = x.day
           and d.m_avail[x.lo + 1:x.hi + 1][1:1] = array_fill(0::smallint, array[x.hi - x.lo + 1, 1])
           and d.h_avail[x.hlo + 1:x.hhi + 1][1:1] = array_fill(0, array[x.hhi - x.hlo + 1, 1])
        returning d.series_id, d.day
      )
      select series_id, day from f`);
    await qr.query(`create temp table slo_fast_days (series_id int, day date) on commit drop`);
    if (fast.length)
      await qr.query(`insert into slo_fast_days select * from unnest($1::int[], $2::date[])`, [fast.map((r: { series_id: number }) => r.series_id), fast.map((r: { day: Date }) => r.day)]);
    // Slow path: late results into minutes that already have counts, merged point by point.
    const slow = await qr.query(`
      with s as (
        update probe_rollup_day d
           set (m_avail, m_lat, h_avail, h_lat, total, good, lat) =
                 (select a.ma, a.ml, a.ha, a.hl, a.total_out, a.good_out, a.lat_out
                    from nines_rollup_apply(d.m_avail, d.m_lat, d.h_avail, d.h_lat, d.total, d.good, d.lat, x.idx, x.vals, d.series_id > 0) a),
               latency_sum_ms = case when d.series_id > 0 then coalesce(d.latency_sum_ms, 0) + coalesce(x.lsum, 0) end,
               latency_max_ms = case when d.series_id > 0 then greatest(d.latency_max_ms, x.lmax) end,
               updated_at = now()
          from slo_day_deltas x
         where d.series_id = x.series_id and d.day = x.day
           and not exists (select 1 from slo_fast_days f where f.series_id = x.series_id and f.day = x.day)
        returning 1
      )
      select count(*)::int as n from s`);
    // Reads take per-minute rows from here on; older minutes are in the day rows.
    await qr.query(`update slo_rollup_state set at = $2 where key = $1`, [COMPACTED_BEFORE, new Date(to)]);
    return { cutoff, watermark: to, movedMinutes, daysFast: fast.length, daysMerged: slow[0].n };
  }
}
