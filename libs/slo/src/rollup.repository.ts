import type { DataSource } from 'typeorm';
import type { CountSource, CutRequest } from './engine';
import { LATENCY_BUCKETS_MS, bucketColumn } from './latency-buckets';
import type { Counts } from './numbers';
import { DAY, HOUR, MINUTE } from './window';

const LAT = LATENCY_BUCKETS_MS.map(bucketColumn);
const COMPONENTS = 2 + LAT.length; // total, good, then one row per latency boundary
export const COMPACTED_BEFORE = 'compacted_before';

type Vec = [number, number]; // total, good (for the request's bucket)

/**
 * Counts as prefix sums at given cuts. Every range an SLO needs is a difference of two of them:
 * V(to) − V(from). Filled by RollupRepository from both stores.
 */
export class PrefixCountSource implements CountSource {
  constructor(private readonly values: Map<string, Map<number, Vec>>) {}

  sum(seriesId: number, bucket: number, from: number, to: number): Counts {
    if (from >= to) return { total: 0, good: 0 };
    const v = this.values.get(`${seriesId}:${bucket}`);
    if (!v) return { total: 0, good: 0 };
    const a = v.get(from);
    const b = v.get(to);
    if (!a || !b) throw new Error(`no prefix sum of series ${seriesId} at ${new Date(a ? to : from).toISOString()} (not a requested cut)`);
    return { total: b[0] - a[0], good: b[1] - a[1] };
  }
}

const dayOf = (ms: number) => Math.floor(ms / DAY) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Index of the last element ≤ x (0-based), −1 when none: what width_bucket returns, minus one. */
function bucketOf(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

const nums = (s: string | null): number[] => (s ? s.split(',').map(Number) : []);

/**
 * Reads the rollups for SLOs. A series' counts before a cut c are
 *   whole UTC days before c's day (probe_rollup_day totals, summed in SQL)
 * + c's day up to c (that row's hour sums, then minute counts of c's hour)
 * + hot per-minute rows before c (probe_rollup_minute: what has not moved yet, and stragglers).
 * Both stores are additive and a compaction moves rows in one statement, so reading all three
 * in one snapshot counts every probe exactly once, however far compaction has got.
 */
export class RollupRepository {
  constructor(private readonly ds: DataSource) {}

  async counts(requests: CutRequest[]): Promise<PrefixCountSource> {
    const reqs = requests.filter((r) => r.cuts.length);
    const values = new Map<string, Map<number, Vec>>();
    if (!reqs.length) return new PrefixCountSource(values);
    const allCuts = [...new Set(reqs.flatMap((r) => r.cuts))].sort((a, b) => a - b);
    const cutDays = [...new Set(allCuts.map(dayOf))].sort((a, b) => a - b);
    const pairs = [...new Map(reqs.map((r) => [`${r.seriesId}:${r.bucket}`, r])).values()];
    const targetIds = [...new Set(reqs.filter((r) => r.seriesId > 0).map((r) => r.seriesId))];
    const systemIds = [...new Set(reqs.filter((r) => r.seriesId < 0).map((r) => -r.seriesId))];

    // Within-day prefixes: one row per (request, cut) whose cut is not at midnight.
    const within: { i: number; key: string; cut: number; series: number; day: string; kk: number; hh: number; m0: number; m1: number; bucket: number }[] = [];
    for (const r of reqs) {
      for (const c of r.cuts) {
        const into = c - dayOf(c);
        if (into === 0) continue;
        const hh = Math.floor(into / HOUR);
        const mm = Math.floor((into % HOUR) / MINUTE);
        within.push({ i: within.length, key: `${r.seriesId}:${r.bucket}`, cut: c, series: r.seriesId, day: isoDay(c), kk: r.bucket === 0 ? 2 : 2 + r.bucket, hh, m0: hh * 60 + 1, m1: hh * 60 + mm, bucket: r.bucket });
      }
    }

    const qr = this.ds.createQueryRunner();
    await qr.connect();
    let dayRows: { series_id: number; k: number; b: number; t: string; g: string }[];
    let withinRows: { i: number; h: string | null; m: string | null }[];
    let hotRows: Record<string, string | number>[];
    try {
      await qr.query('start transaction isolation level repeatable read read only');
      dayRows = await qr.query(
        `select r.series_id, r.k, width_bucket(d.day, $3::date[]) as b, sum(d.total)::float8 as t,
                sum(case when r.k = 0 then d.good else d.lat[r.k] end)::float8 as g
           from unnest($1::int[], $2::int[]) as r(series_id, k)
           join probe_rollup_day d on d.series_id = r.series_id
          where d.day >= $4::date and d.day < $5::date
          group by 1, 2, 3`,
        [pairs.map((p) => p.seriesId), pairs.map((p) => p.bucket), cutDays.map(isoDay), isoDay(cutDays[0]), isoDay(cutDays[cutDays.length - 1])],
      );
      withinRows = within.length
        ? await qr.query(
            `select c.i, array_to_string(d.h[1:c.hh][1:c.kk], ',') as h, array_to_string(d.m[c.m0:c.m1][1:c.kk], ',') as m
               from unnest($1::int[], $2::int[], $3::date[], $4::int[], $5::int[], $6::int[], $7::int[]) as c(i, series_id, day, kk, hh, m0, m1)
               join probe_rollup_day d on d.series_id = c.series_id and d.day = c.day`,
            [within.map((w) => w.i), within.map((w) => w.series), within.map((w) => w.day), within.map((w) => w.kk), within.map((w) => w.hh), within.map((w) => w.m0), within.map((w) => w.m1)],
          )
        : [];
      const cutsTs = allCuts.map((c) => new Date(c));
      const from = cutsTs[0];
      const to = cutsTs[cutsTs.length - 1];
      const latSums = LAT.map((c) => `sum(${c})::float8 as ${c}`).join(', ');
      hotRows = await qr.query(
        `select target_id as series_id, width_bucket(minute, $2::timestamptz[]) as b, sum(total)::float8 as total, sum(successes)::float8 as successes, ${latSums}
           from probe_rollup_minute where target_id = any($1::int[]) and minute >= $3 and minute < $4 group by 1, 2
         union all
         select -s.id, width_bucket(x.minute, $2::timestamptz[]), count(*)::float8, (count(*) filter (where x.successes > 0))::float8,
                ${LAT.map((c) => `(count(*) filter (where x.${c} > 0))::float8`).join(', ')}
           from (select t.system, r.minute, sum(r.total) as total, sum(r.successes) as successes, ${LAT.map((c) => `sum(r.${c}) as ${c}`).join(', ')}
                   from probe_rollup_minute r join targets t on t.id = r.target_id
                   join slo_system_series ss on ss.system = t.system and ss.id = any($5::int[])
                  where not t.is_endpoint
                    and r.minute >= greatest($3, coalesce((select at from slo_rollup_state where key = '${COMPACTED_BEFORE}'), '-infinity'))
                    and r.minute < $4
                  group by 1, 2) x
           join slo_system_series s on s.system = x.system
          where x.total > 0
          group by 1, 2`,
        [targetIds, cutsTs, from, to, systemIds],
      );
      await qr.query('commit');
    } catch (err) {
      await qr.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }

    // Cumulate per request: day buckets (by cut day) and hot buckets (by cut).
    const dayCum = new Map<string, Vec[]>(); // index j: sum of day buckets < j (j = 0..cutDays.length)
    const hotCum = new Map<string, Vec[]>();
    const dayBuckets = new Map<string, Vec[]>();
    for (const r of dayRows) {
      const key = `${r.series_id}:${r.k}`;
      let arr = dayBuckets.get(key);
      if (!arr) dayBuckets.set(key, (arr = cutDays.map(() => [0, 0] as Vec)));
      arr[r.b - 1][0] += Number(r.t);
      arr[r.b - 1][1] += Number(r.g);
    }
    const hotBySeries = new Map<number, Record<string, number>[]>();
    for (const row of hotRows) {
      const sid = Number(row.series_id);
      let list = hotBySeries.get(sid);
      if (!list) hotBySeries.set(sid, (list = []));
      list.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])));
    }
    const cumulate = (buckets: Vec[] | undefined, n: number): Vec[] => {
      const out: Vec[] = [[0, 0]];
      for (let j = 0; j < n; j++) out.push([out[j][0] + (buckets?.[j]?.[0] ?? 0), out[j][1] + (buckets?.[j]?.[1] ?? 0)]);
      return out;
    };
    for (const p of pairs) {
      const key = `${p.seriesId}:${p.bucket}`;
      dayCum.set(key, cumulate(dayBuckets.get(key), cutDays.length));
      const hb: Vec[] = allCuts.map(() => [0, 0]);
      for (const row of hotBySeries.get(p.seriesId) ?? []) {
        hb[row.b - 1][0] += row.total;
        hb[row.b - 1][1] += p.bucket === 0 ? row.successes : row[LAT[p.bucket - 1]];
      }
      hotCum.set(key, cumulate(hb, allCuts.length));
    }
    const withinVal = new Map<number, Vec>();
    for (const row of withinRows) {
      const w = within[row.i];
      const h = nums(row.h);
      const m = nums(row.m);
      // Slices are [hours or minutes][counts 1..kk], flattened row by row.
      const column = (a: number[], j: number) => {
        let s = 0;
        for (let x = j; x < a.length; x += w.kk) s += a[x];
        return s;
      };
      const goodCol = w.bucket === 0 ? 1 : w.kk - 1;
      withinVal.set(w.i, [column(h, 0) + column(m, 0), column(h, goodCol) + column(m, goodCol)]);
    }
    const withinByKeyCut = new Map<string, Vec>();
    for (const w of within) withinByKeyCut.set(`${w.key}@${w.cut}`, withinVal.get(w.i) ?? [0, 0]);

    for (const r of reqs) {
      const key = `${r.seriesId}:${r.bucket}`;
      let v = values.get(key);
      if (!v) values.set(key, (v = new Map()));
      const dc = dayCum.get(key)!;
      const hc = hotCum.get(key)!;
      for (const c of r.cuts) {
        const d = dc[bucketOf(cutDays, dayOf(c))]; // days strictly before c's day
        const h = hc[bucketOf(allCuts, c)]; // hot minutes strictly before c
        const w = withinByKeyCut.get(`${key}@${c}`) ?? [0, 0];
        v.set(c, [d[0] + h[0] + w[0], d[1] + h[1] + w[1]]);
      }
    }
    return new PrefixCountSource(values);
  }
}
