import type { CountSource } from './engine';
import type { Counts } from './numbers';
import { MINUTE } from './window';

interface Minute {
  total: number;
  good: number;
  /** Successful probes within each latency boundary (index = bucket − 1). */
  fast: number[];
}

/**
 * Per-minute counts in memory: the rollups as the unit specs write them by hand. Sums are plain
 * loops, so a spec's expected numbers are checked against the simplest possible arithmetic.
 */
export class MemoryCountSource implements CountSource {
  private readonly series = new Map<number, Map<number, Minute>>();

  /** Adds `total` probes, `good` of them successful, `fast[k]` within boundary k+1, to each minute of [from, to). */
  fill(seriesId: number, from: number, to: number, perMinute: { total: number; good: number; fast?: number[] }): this {
    let m = this.series.get(seriesId);
    if (!m) this.series.set(seriesId, (m = new Map()));
    for (let t = Math.floor(from / MINUTE) * MINUTE; t < to; t += MINUTE) {
      const cur = m.get(t) ?? { total: 0, good: 0, fast: [] };
      cur.total += perMinute.total;
      cur.good += perMinute.good;
      (perMinute.fast ?? []).forEach((f, i) => (cur.fast[i] = (cur.fast[i] ?? 0) + f));
      m.set(t, cur);
    }
    return this;
  }

  /** Removes the minutes of [from, to): a gap, as when Nines itself was down. */
  gap(seriesId: number, from: number, to: number): this {
    const m = this.series.get(seriesId);
    for (let t = Math.floor(from / MINUTE) * MINUTE; t < to; t += MINUTE) m?.delete(t);
    return this;
  }

  sum(seriesId: number, bucket: number, from: number, to: number): Counts {
    let total = 0;
    let good = 0;
    for (const [t, v] of this.series.get(seriesId) ?? []) {
      if (t < from || t >= to) continue;
      total += v.total;
      good += bucket === 0 ? v.good : (v.fast[bucket - 1] ?? 0);
    }
    return { total, good };
  }
}
