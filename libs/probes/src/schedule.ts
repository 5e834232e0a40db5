import { stableHash } from '../../common/src/hash';

/**
 * Tick times are a pure function of the config: target i of the n sharing an interval runs at
 * offset i·interval/n within every interval, ordered by a stable hash of its key. Every replica
 * computes the same ticks, so a tick (key, time) names one run across the whole deployment, and
 * the load is spread evenly over the interval instead of landing at second 0.
 */
export function computeOffsets(targets: { key: string; intervalMs: number }[]): Map<string, number> {
  const groups = new Map<number, string[]>();
  for (const t of targets) {
    const g = groups.get(t.intervalMs);
    if (g) g.push(t.key);
    else groups.set(t.intervalMs, [t.key]);
  }
  const offsets = new Map<string, number>();
  for (const [interval, keys] of groups) {
    keys.sort((a, b) => stableHash(a) - stableHash(b) || (a < b ? -1 : a > b ? 1 : 0));
    keys.forEach((k, i) => offsets.set(k, Math.floor((i * interval) / keys.length)));
  }
  return offsets;
}

/** The first tick at or after `from`. */
export function nextTickAtOrAfter(from: number, intervalMs: number, offsetMs: number): number {
  const k = Math.ceil((from - offsetMs) / intervalMs);
  return k * intervalMs + offsetMs;
}

/** Rendezvous hashing: the live prober with the highest score for a key owns it. */
export function ownerOf(key: string, probers: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const p of probers) {
    const s = stableHash(`${p}\u0000${key}`);
    if (s > bestScore || (s === bestScore && best !== undefined && p < best)) [best, bestScore] = [p, s];
  }
  return best;
}

/** Binary min-heap keyed by due time; the scheduler's only data structure. */
export class DueHeap<T extends { dueAt: number }> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].dueAt <= a[i].dueAt) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (!a.length) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].dueAt < a[m].dueAt) m = l;
        if (r < a.length && a[r].dueAt < a[m].dueAt) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.items = [];
  }
}
