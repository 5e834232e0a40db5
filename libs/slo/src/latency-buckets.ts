/**
 * Fixed latency boundaries, in milliseconds. Every per-minute rollup counts, for each boundary,
 * the successful probes that took at most that long, so a latency SLI ("successful and no
 * slower than the threshold") is an exact count, never an estimate from a sum or a maximum.
 * A latency SLO's threshold must therefore be one of these boundaries.
 * No imports: the config schema and the result writer both use this list.
 */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

/** 1-based index of a boundary (as stored in the rollups), or undefined when it is not one. */
export function latencyBucket(thresholdMs: number): number | undefined {
  const i = LATENCY_BUCKETS_MS.indexOf(thresholdMs as (typeof LATENCY_BUCKETS_MS)[number]);
  return i < 0 ? undefined : i + 1;
}

export function bucketLabel(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** "5ms, 10ms, …, 10s", for error messages. */
export function bucketList(): string {
  return LATENCY_BUCKETS_MS.map(bucketLabel).join(', ');
}

/** Column of the per-minute rollup holding the count for a boundary. */
export function bucketColumn(ms: number): string {
  return `lat_le_${ms}`;
}
