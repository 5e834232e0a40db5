import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlo, planSlo } from './engine';
import { MemoryCountSource } from './memory-source';
import { noExclusions, registry, slo, target } from './slo-fixtures';

const MIN = 60_000;
const DAY = 86_400_000;

describe('rolling window edges are exact to the minute', () => {
  const now = Date.UTC(2026, 10, 20, 12, 34, 56);
  const end = Date.UTC(2026, 10, 20, 12, 34);
  const start = end - 30 * DAY;
  const src = new MemoryCountSource()
    .fill(1, start - 10 * MIN, end + 5 * MIN, { total: 1, good: 1 })
    .fill(1, start - MIN, start, { total: 0, good: -1 }) // just before the window: out
    .fill(1, start, start + MIN, { total: 0, good: -1 }) // first minute: in
    .fill(1, end - MIN, end, { total: 0, good: -1 }) // last whole minute: in
    .fill(1, end, end + MIN, { total: 0, good: -1 }); // the current, unfinished minute: out
  const r = computeSlo(planSlo(slo({ window: '30d' }), registry([target(1, 'web')]), noExclusions, now), src);

  it('covers [now − 30d, now) in whole minutes: the current minute is not finished yet', () => {
    assert.deepEqual([r.plan.window.start, r.plan.window.end], [start, end]);
    assert.equal(r.numbers.valid, 30 * 1440);
    assert.equal(r.numbers.bad, 2);
  });

  it('the 5m burn window is the last five whole minutes', () => {
    assert.equal(r.burnRates['5m'], (1 / 5) / 0.001);
  });
});
