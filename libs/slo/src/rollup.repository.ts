import type { DataSource, QueryRunner } from 'typeorm';
import type { CountSource, CutRequest } from './engine';
import { LATENCY_BUCKETS_MS, bucketColumn } from './latency-buckets';
import type { Counts } from './numbers';
import { DAY, HOUR, MINUTE } from './window';

const LAT = LATENCY_BUCKETS_MS.map(bucketColumn);
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

/** "6,6,5,…" → numbers (non-negative integers), without the garbage of split/map. */
function nums(s: string | null): Int32Array {
  if (!s) return new Int32Array(0);
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 44) n++;
  const out = new Int32Array(n);
  let k = 0;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44) {
      out[k++] = v;
      v = 0;
    } else v = v * 10 + (c - 48);
  }
  out[k] = v;
  return out;
}

interface PartRows {
  dayRows: { i: number; b: number; t: number; g: number }[];
  withinRows: { i: number; h: string | null; m: string | null; hl: string | null; ml: string | null }[];
  hotRows: { i: number; b: number; t: number; g: number }[];
}

/**
 * Reads the rollups for SLOs. A series' counts before a cut c are
 *   whole UTC days before c's day (probe_rollup_day totals, summed in SQL)
 * + c's day up to c (that row's hour sums, then minute counts of c's hour)
 * + per-minute rows before c from the watermark on (not copied into day rows yet)
 * + late results before c (probe_rollup_late: copied hours, not merged yet).
 * The compaction copies and advances the watermark in one transaction and the writer routes
 * late minutes by the same watermark, so reading all of it in one snapshot counts every probe
 * exactly once, however far compaction has got.
 */
export class RollupRepository {
  constructor(
    private readonly ds: DataSource,
    /** Connections one read uses (sharing one snapshot). */
    private readonly parallelism = 2,
  ) {}

  /** Whole days: their totals summed per series and bucket of cut days. */
  private async readDays(qr: QueryRunner, pairs: { i: number; series: number; bucket: number }[], cutDays: string[]): Promise<PartRows['dayRows']> {
    return pairs.length
      ? qr.query(
          `select r.i, width_bucket(d.day, $4::date[]) as b, sum(d.total)::float8 as t,
                  sum(case when r.k = 0 then d.good else d.lat[r.k] end)::float8 as g
             from unnest($1::int[], $2::int[], $3::int[]) as r(i, series_id, k)
             join probe_rollup_day d on d.series_id = r.series_id
            where d.day >= $5::date and d.day < $6::date
            group by 1, 2`,
          [pairs.map((p) => p.i), pairs.map((p) => p.series), pairs.map((p) => p.bucket), cutDays, cutDays[0], cutDays[cutDays.length - 1]],
        )
      : [];
  }

  /** Window edges inside a day. Total and good are inline in the row; the latency boundaries are read only when asked for. */
  private async readWithin(qr: QueryRunner, within: { i: number; series: number; day: string; kl: number; hmax: number; m0: number; m1: number }[]): Promise<PartRows['withinRows']> {
    return within.length
      ? qr.query(
          // A lookup per row (lateral, not pulled up): a hash join would read every row's arrays.
          `select c.i, x.h, x.m, x.hl, x.ml
             from unnest($1::int[], $2::int[], $3::date[], $4::int[], $5::int[], $6::int[], $7::int[]) as c(i, series_id, day, kl, hmax, m0, m1)
             cross join lateral (
               select array_to_string(d.h_avail[1:c.hmax][1:2], ',') as h, array_to_string(d.m_avail[c.m0:c.m1][1:2], ',') as m,
                      case when c.kl > 0 then array_to_string(d.h_lat[1:c.hmax][1:c.kl], ',') end as hl,
                      case when c.kl > 0 then array_to_string(d.m_lat[c.m0:c.m1][1:c.kl], ',') end as ml
                 from probe_rollup_day d where d.series_id = c.series_id and d.day = c.day offset 0) x`,
          [within.map((w) => w.i), within.map((w) => w.series), within.map((w) => w.day), within.map((w) => w.kl), within.map((w) => w.hmax), within.map((w) => w.m0), within.map((w) => w.m1)],
        )
      : [];
  }

  /** Minutes not moved yet (and late ones), per series and bucket of cuts; system series derived per minute. */
  private async readHot(qr: QueryRunner, pairs: { i: number; series: number; bucket: number }[], allCuts: number[]): Promise<PartRows['hotRows']> {
    const cutsTs = allCuts.map((c) => new Date(c));
    const targetPairs = pairs.filter((p) => p.series > 0);
    const systemPairs = pairs.filter((p) => p.series < 0);
    const pick = (x: string) => `case r.k when 0 then ${x}successes ${LAT.map((c, k) => `when ${k + 1} then ${x}${c}`).join(' ')} end`;
    const watermark = `(select at from slo_rollup_state where key = '${COMPACTED_BEFORE}')`;
    return pairs.length
      ? qr.query(
          // Targets: per-minute rows from the watermark on (older ones are in the day rows), one
          // index range per target, plus late results not merged yet.
          `select r.i, width_bucket(m.minute, $4::timestamptz[]) as b, sum(m.total)::float8 as t, sum(${pick('m.')})::float8 as g
             from unnest($1::int[], $2::int[], $3::int[]) as r(i, series_id, k)
             cross join lateral (
               select mm.minute, mm.total, mm.successes, ${LAT.map((c) => `mm.${c}`).join(', ')} from probe_rollup_minute mm
                where mm.target_id = r.series_id and mm.minute >= greatest($5, coalesce(${watermark}, '-infinity')) and mm.minute < $6
               union all
               select ml.minute, ml.total, ml.successes, ${LAT.map((c) => `ml.${c}`).join(', ')} from probe_rollup_late ml where ml.target_id = r.series_id and ml.minute >= $5 and ml.minute < $6
               offset 0) m
            group by 1, 2
           union all
           select r.i, width_bucket(x.minute, $4::timestamptz[]), count(*)::float8, (count(*) filter (where ${pick('x.')} > 0))::float8
             from unnest($7::int[], $8::int[], $9::int[]) as r(i, series_id, k)
             join slo_system_series s on s.id = -r.series_id
             join (select t.system, mr.minute, sum(mr.total) as total, sum(mr.successes) as successes, ${LAT.map((c) => `sum(mr.${c}) as ${c}`).join(', ')}
                     from probe_rollup_minute mr join targets t on t.id = mr.target_id
                     join slo_system_series ss on ss.system = t.system and ss.id = any($10::int[])
                    where not t.is_endpoint
                      and mr.minute >= greatest($5, coalesce(${watermark}, '-infinity'))
                      and mr.minute < $6
                    group by 1, 2) x on x.system = s.system
            where x.total > 0
            group by 1, 2`,
          [
            targetPairs.map((p) => p.i),
            targetPairs.map((p) => p.series),
            targetPairs.map((p) => p.bucket),
            cutsTs,
            cutsTs[0],
            cutsTs[cutsTs.length - 1],
            systemPairs.map((p) => p.i),
            systemPairs.map((p) => p.series),
            systemPairs.map((p) => p.bucket),
            systemPairs.map((p) => -p.series),
          ],
        )
      : [];
  }

  async counts(requests: CutRequest[]): Promise<PrefixCountSource> {
    const values = new Map<string, Map<number, Vec>>();
    // One entry per (series, bucket), its cuts merged.
    const pairs: { series: number; bucket: number; cuts: number[] }[] = [];
    const pairIndex = new Map<string, number>();
    for (const r of requests) {
      if (!r.cuts.length) continue;
      const key = `${r.seriesId}:${r.bucket}`;
      const i = pairIndex.get(key);
      if (i === undefined) {
        pairIndex.set(key, pairs.length);
        pairs.push({ series: r.seriesId, bucket: r.bucket, cuts: [...r.cuts] });
      } else pairs[i].cuts.push(...r.cuts);
    }
    if (!pairs.length) return new PrefixCountSource(values);
    for (const p of pairs) p.cuts = [...new Set(p.cuts)].sort((a, b) => a - b);
    const allCuts = [...new Set(pairs.flatMap((p) => p.cuts))].sort((a, b) => a - b);
    const cutDays = [...new Set(allCuts.map(dayOf))].sort((a, b) => a - b);
    const dayName = new Map(cutDays.map((d) => [d, isoDay(d)]));

    // Within-day prefixes of cuts not at midnight, one row per (series, day): the hour sums up
    // to the latest cut's hour and the minutes spanning the cuts' partial hours, so each day
    // row's arrays are read once however many cuts fall in it.
    interface DayCut { pair: number; cut: number; bucket: number; hh: number; mm: number }
    const byDay = new Map<string, { series: number; day: string; kl: number; cuts: DayCut[] }>();
    pairs.forEach((p, pi) => {
      for (const c of p.cuts) {
        const start = dayOf(c);
        if (c === start) continue;
        const day = dayName.get(start)!;
        const k = `${p.series}@${day}`;
        let g = byDay.get(k);
        if (!g) byDay.set(k, (g = { series: p.series, day, kl: 0, cuts: [] }));
        g.kl = Math.max(g.kl, p.bucket);
        g.cuts.push({ pair: pi, cut: c, bucket: p.bucket, hh: Math.floor((c - start) / HOUR), mm: Math.floor(((c - start) % HOUR) / MINUTE) });
      }
    });
    const within = [...byDay.values()].map((g) => {
      let hmax = 0;
      let m0 = Infinity;
      let m1 = 0;
      for (const c of g.cuts) {
        hmax = Math.max(hmax, c.hh);
        m0 = Math.min(m0, c.hh * 60 + 1);
        m1 = Math.max(m1, c.hh * 60 + c.mm);
      }
      return { ...g, hmax, m0, m1 };
    });

    // The reads run on `parallelism` connections that share one snapshot (pg_export_snapshot):
    // consistent as one read, using every core. Window edges, the largest part, go in chunks.
    const parts = Math.max(1, Math.min(this.parallelism, Math.ceil(pairs.length / 50)));
    const indexed = pairs.map((p, i) => ({ ...p, i }));
    const withinIndexed = within.map((w, i) => ({ ...w, i }));
    const dayRows: PartRows['dayRows'] = [];
    const withinRows: PartRows['withinRows'] = [];
    const hotRows: PartRows['hotRows'] = [];
    const chunk = Math.max(200, Math.ceil(withinIndexed.length / (2 * parts)));
    const tasks: ((qr: QueryRunner) => Promise<unknown>)[] = [];
    for (let k = 0; k < withinIndexed.length; k += chunk) {
      const part = withinIndexed.slice(k, k + chunk);
      tasks.push(async (qr) => withinRows.push(...(await this.readWithin(qr, part))));
    }
    tasks.splice(1, 0, async (qr) => dayRows.push(...(await this.readDays(qr, indexed, cutDays.map((d) => dayName.get(d)!)))));
    tasks.splice(parts, 0, async (qr) => hotRows.push(...(await this.readHot(qr, indexed, allCuts))));
    const runners = await Promise.all(
      Array.from({ length: parts }, async () => {
        const qr = this.ds.createQueryRunner();
        await qr.connect();
        return qr;
      }),
    );
    try {
      await runners[0].query('start transaction isolation level repeatable read read only');
      if (parts > 1) {
        const [{ snapshot }] = await runners[0].query('select pg_export_snapshot() as snapshot');
        await Promise.all(
          runners.slice(1).map(async (qr) => {
            await qr.query('start transaction isolation level repeatable read read only');
            await qr.query(`set transaction snapshot '${String(snapshot).replace(/'/g, '')}'`);
          }),
        );
      }
      await Promise.all(
        runners.map(async (qr) => {
          for (let t = tasks.shift(); t; t = tasks.shift()) await t(qr);
        }),
      );
      await Promise.all(runners.map((qr) => qr.query('commit')));
    } catch (err) {
      await Promise.all(runners.map((qr) => qr.query('rollback').catch(() => undefined)));
      throw err;
    } finally {
      await Promise.all(runners.map((qr) => qr.release()));
    }

    // Per pair: totals of whole days by cut-day bucket, and of hot minutes by cut bucket.
    const nDays = cutDays.length;
    const nCuts = allCuts.length;
    const dayT = new Float64Array(pairs.length * nDays);
    const dayG = new Float64Array(pairs.length * nDays);
    for (const r of dayRows) {
      dayT[r.i * nDays + r.b - 1] += Number(r.t);
      dayG[r.i * nDays + r.b - 1] += Number(r.g);
    }
    const hotT = new Float64Array(pairs.length * nCuts);
    const hotG = new Float64Array(pairs.length * nCuts);
    for (const r of hotRows) {
      hotT[r.i * nCuts + r.b - 1] += Number(r.t);
      hotG[r.i * nCuts + r.b - 1] += Number(r.g);
    }
    // Within-day prefixes, per pair and cut.
    const withinT = new Map<number, Map<number, Vec>>();
    for (const row of withinRows) {
      const w = within[row.i];
      // Slices are [hours or minutes][counts], flattened row by row: total and good, then latency boundaries 1..kl.
      const h = nums(row.h);
      const m = nums(row.m);
      const hl = nums(row.hl);
      const ml = nums(row.ml);
      for (const c of w.cuts) {
        const [gh, gm, width, col] = c.bucket === 0 ? [h, m, 2, 1] : [hl, ml, w.kl, c.bucket - 1];
        let t = 0;
        let g = 0;
        for (let hr = 0; hr < c.hh; hr++) {
          t += h[hr * 2];
          g += gh[hr * width + col];
        }
        const first = c.hh * 60 - (w.m0 - 1);
        for (let x = first; x < first + c.mm; x++) {
          t += m[x * 2];
          g += gm[x * width + col];
        }
        let byCut = withinT.get(c.pair);
        if (!byCut) withinT.set(c.pair, (byCut = new Map()));
        byCut.set(c.cut, [t, g]);
      }
    }
    pairs.forEach((p, pi) => {
      const v = new Map<number, Vec>();
      values.set(`${p.series}:${p.bucket}`, v);
      const byCut = withinT.get(pi);
      // Cuts are sorted, so day and hot buckets accumulate in one pass.
      let di = 0;
      let dT = 0;
      let dG = 0;
      let hi = 0;
      let hT = 0;
      let hG = 0;
      for (const c of p.cuts) {
        const day = dayOf(c);
        for (; di < nDays && cutDays[di] < day; di++) {
          dT += dayT[pi * nDays + di];
          dG += dayG[pi * nDays + di];
        }
        for (; hi < nCuts && allCuts[hi] < c; hi++) {
          hT += hotT[pi * nCuts + hi];
          hG += hotG[pi * nCuts + hi];
        }
        const w = byCut?.get(c) ?? [0, 0];
        v.set(c, [dT + hT + w[0], dG + hG + w[1]]);
      }
    });
    return new PrefixCountSource(values);
  }
}
