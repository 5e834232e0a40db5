import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeOffsets, nextTickAtOrAfter } from './schedule';

/** Deterministic Fisher–Yates, so a failure reproduces. */
function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const keys = (n: number, prefix = 'web') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('computeOffsets spreads targets of one interval evenly', () => {
  it('gives n targets n distinct offsets exactly interval/n apart', () => {
    const interval = 10_000;
    const offsets = computeOffsets(keys(8).map((key) => ({ key, intervalMs: interval })));
    const sorted = [...offsets.values()].sort((a, b) => a - b);
    assert.deepEqual(sorted, [0, 1250, 2500, 3750, 5000, 6250, 7500, 8750]);
  });

  it('keeps the largest gap within one millisecond of the smallest when interval/n is fractional', () => {
    const interval = 10_000;
    const offsets = computeOffsets(keys(7).map((key) => ({ key, intervalMs: interval })));
    const sorted = [...offsets.values()].sort((a, b) => a - b);
    // Gaps between neighbours, including the wrap from the last back to the next interval's first.
    const gaps = sorted.map((o, i) => (i + 1 < sorted.length ? sorted[i + 1] : sorted[0] + interval) - o);
    assert.equal(sorted.length, 7);
    assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `gaps ${gaps.join(',')}`);
    assert.ok(sorted.every((o) => o >= 0 && o < interval));
  });

  it('spreads each interval group on its own', () => {
    const offsets = computeOffsets([
      ...keys(4, 'fast').map((key) => ({ key, intervalMs: 4_000 })),
      ...keys(2, 'slow').map((key) => ({ key, intervalMs: 60_000 })),
    ]);
    assert.deepEqual(keys(4, 'fast').map((k) => offsets.get(k)!).sort((a, b) => a - b), [0, 1000, 2000, 3000]);
    assert.deepEqual(keys(2, 'slow').map((k) => offsets.get(k)!).sort((a, b) => a - b), [0, 30_000]);
  });

  it('is deterministic across calls and independent of input order', () => {
    const targets = keys(50).map((key) => ({ key, intervalMs: 15_000 }));
    const first = computeOffsets(targets);
    const again = computeOffsets(targets.map((t) => ({ ...t })));
    const reversed = computeOffsets([...targets].reverse());
    const shuffled = computeOffsets(shuffle(targets));
    for (const t of targets) {
      assert.equal(again.get(t.key), first.get(t.key), t.key);
      assert.equal(reversed.get(t.key), first.get(t.key), t.key);
      assert.equal(shuffled.get(t.key), first.get(t.key), t.key);
    }
  });

  it('does not simply follow the input order (keys are placed by hash)', () => {
    const targets = keys(20).map((key) => ({ key, intervalMs: 20_000 }));
    const offsets = computeOffsets(targets);
    const inInputOrder = targets.every((t, i) => offsets.get(t.key) === i * 1000);
    assert.equal(inInputOrder, false);
  });
});

describe('nextTickAtOrAfter', () => {
  const T0 = Date.UTC(2025, 0, 1); // a multiple of every interval used here

  it('returns the tick itself when `from` is exactly on it', () => {
    assert.equal(nextTickAtOrAfter(T0 + 2_500, 10_000, 2_500), T0 + 2_500);
  });

  it('returns the next tick one millisecond after a tick', () => {
    assert.equal(nextTickAtOrAfter(T0 + 2_501, 10_000, 2_500), T0 + 12_500);
  });

  it('lands on offset + k·interval from anywhere inside the interval', () => {
    assert.equal(nextTickAtOrAfter(T0 + 1, 10_000, 2_500), T0 + 2_500);
    assert.equal(nextTickAtOrAfter(T0 + 9_999, 10_000, 2_500), T0 + 12_500);
    assert.equal(nextTickAtOrAfter(T0, 10_000, 0), T0);
  });
});
