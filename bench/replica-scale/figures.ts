import { percentile } from '../probe-throughput/proc';

/**
 * The pure maths of bench/replica-scale: reading counters and histograms out of /metrics text,
 * per-1,000-probe costs, coverage of the targets by the replicas' requests, and the takeover
 * gaps after a replica is killed. No I/O, so figures.spec.ts can check every number.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The samples of the named families only. A replica's /metrics carries every target's series
 * (tens of MB at 30,000 targets), so lines are filtered by prefix before any regex runs.
 */
export function samplesOf(text: string, names: string[]): Sample[] {
  const out: Sample[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const first = text.charCodeAt(start);
    // '#' comments and blank lines are skipped; per-target families start with 'p' (probe_*).
    if (first !== 35 && end > start && names.some((n) => text.startsWith(n, start))) {
      const line = text.slice(start, end);
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (m && names.includes(m[1])) {
        const labels: Record<string, string> = {};
        if (m[2]) for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
        out.push({ name: m[1], labels, value: Number(m[3]) });
      }
    }
    start = end + 1;
  }
  return out;
}

/** Sum of a family's samples, optionally only those whose labels match. */
export function sumOf(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/** Cumulative bucket counts of a histogram (summed over its other labels), by upper bound. */
export function histogramBuckets(samples: Sample[], name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/** Bucket counts observed between two scrapes (after − before, per bound). */
export function bucketDelta(before: Map<number, number>, after: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [le, n] of after) out.set(le, n - (before.get(le) ?? 0));
  return out;
}

/**
 * A quantile of cumulative histogram buckets, interpolated linearly within the bucket as
 * Prometheus' histogram_quantile() does (the lowest bucket starts at 0; a quantile in the +Inf
 * bucket is the highest finite bound). NaN when nothing was observed.
 */
export function histogramQuantile(q: number, cumulative: Map<number, number>): number {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  if (!bounds.length) return NaN;
  const total = cumulative.get(bounds[bounds.length - 1])!;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const le of bounds) {
    const c = cumulative.get(le)!;
    if (c >= rank) {
      if (le === Infinity) return prevBound;
      if (c === prevCount) return le;
      return prevBound + ((le - prevBound) * (rank - prevCount)) / (c - prevCount);
    }
    prevBound = le;
    prevCount = c;
  }
  return prevBound;
}

/** CPU seconds per 1,000 probes. */
export function perThousand(cpuSeconds: number, probes: number): number {
  return probes > 0 ? (cpuSeconds / probes) * 1000 : NaN;
}

/** a ÷ b, NaN when either is missing. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

/**
 * Which targets the replicas' requests covered in a window. `hits[r][i]` is how many requests
 * replica r sent for target i. A target nobody probed is unowned; one probed by two replicas
 * was shared (the ring views disagreed for a moment, or the claims split its ticks).
 */
export function coverage(hits: ArrayLike<number>[], targets: number): { covered: number; unowned: number[]; shared: number; perReplica: number[]; perTargetMin: number; perTargetMax: number } {
  const unowned: number[] = [];
  let shared = 0;
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < targets; i++) {
    let total = 0;
    let by = 0;
    for (const h of hits) {
      const n = h[i] ?? 0;
      total += n;
      if (n > 0) by += 1;
    }
    if (total === 0) unowned.push(i);
    if (by > 1) shared += 1;
    min = Math.min(min, total);
    max = Math.max(max, total);
  }
  const perReplica = hits.map((h) => {
    let s = 0;
    for (let i = 0; i < targets; i++) s += h[i] ?? 0;
    return s;
  });
  return { covered: targets - unowned.length, unowned, shared, perReplica, perTargetMin: targets ? min : 0, perTargetMax: max };
}

/**
 * Takeover after a replica was killed at `killedAt`: for every target it owned (`owner[i]` is
 * the replica that probed target i last before the kill), the time until a survivor first
 * probed it (`firstAfter[i]`, 0 = not yet). Targets never taken over count as Infinity.
 */
export function takeoverGaps(owner: ArrayLike<number>, firstAfter: ArrayLike<number>, victim: number, killedAt: number): number[] {
  const gaps: number[] = [];
  for (let i = 0; i < owner.length; i++) {
    if (owner[i] !== victim) continue;
    const t = firstAfter[i];
    gaps.push(t > 0 ? Math.max(0, t - killedAt) : Infinity);
  }
  return gaps;
}

/** p50, p99 and max of gaps in ms (Infinity stays Infinity: a target not taken over), and how many are within `goalMs`. */
export function gapSummary(gaps: number[], goalMs: number): { n: number; p50: number; p99: number; max: number; within: number; missing: number } {
  const s = [...gaps].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1] : NaN,
    within: s.filter((g) => g <= goalMs).length,
    missing: s.filter((g) => g === Infinity).length,
  };
}

/** Element-wise merge of per-target arrays from several target-server processes (each serves some targets; the rest are 0). */
export function mergeMax(arrays: ArrayLike<number>[], length: number): number[] {
  const out = new Array<number>(length).fill(0);
  for (const a of arrays) for (let i = 0; i < length; i++) if ((a[i] ?? 0) > out[i]) out[i] = a[i];
  return out;
}

/** The same, for owners (−1 = never probed). */
export function mergeOwners(arrays: ArrayLike<number>[], length: number): number[] {
  const out = new Array<number>(length).fill(-1);
  for (const a of arrays) for (let i = 0; i < length; i++) if ((a[i] ?? -1) >= 0) out[i] = a[i];
  return out;
}
