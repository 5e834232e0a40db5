/** Half-open time ranges [start, end) in epoch ms, sorted and merged. */
export type Range = [number, number];

export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function clipRanges(ranges: Range[], from: number, to: number): Range[] {
  const out: Range[] = [];
  for (const [a, b] of ranges) {
    const s = Math.max(a, from);
    const e = Math.min(b, to);
    if (e > s) out.push([s, e]);
  }
  return out;
}

export function rangesLength(ranges: Range[]): number {
  return ranges.reduce((n, [a, b]) => n + (b - a), 0);
}

/** Widens each range to whole minutes (a minute touched by an exclusion is excluded whole). */
export function toWholeMinutes(ranges: Range[]): Range[] {
  return mergeRanges(ranges.map(([a, b]) => [Math.floor(a / 60_000) * 60_000, Math.ceil(b / 60_000) * 60_000]));
}
