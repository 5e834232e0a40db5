import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlo, planSlo } from './engine';
import { MemoryCountSource } from './memory-source';
import { noExclusions, registry, slo, target } from './slo-fixtures';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 20, 12, 0);

describe('gap while Nines was down: unknown, neither good nor bad', () => {
  // A 10 s probe (6 a minute) for 7 days; Nines was down for the last 2 hours before the final 30 minutes.
  const gapFrom = NOW - 150 * MIN;
  const gapTo = NOW - 30 * MIN;
  const src = new MemoryCountSource()
    .fill(1, NOW - 7 * DAY, NOW, { total: 6, good: 6 })
    .fill(1, NOW - 3 * DAY, NOW - 3 * DAY + 5 * MIN, { total: 0, good: -6 }) // 30 failed probes
    .gap(1, gapFrom, gapTo);
  const def = slo({ window: '7d' });
  const reg = registry([target(1, 'web', { intervalMs: 10_000 })]);
  const r = computeSlo(planSlo(def, reg, noExclusions, NOW), src);

  it('reports the 720 missing probes as unknown and leaves them out of the SLI', () => {
    assert.equal(r.numbers.expected, 7 * 1440 * 6);
    assert.equal(r.numbers.unknown, 120 * 6);
    assert.equal(r.numbers.valid, (7 * 1440 - 120) * 6);
    assert.equal(r.numbers.bad, 30);
    assert.equal(r.numbers.sli, 1 - 30 / 59_760);
  });

  it('the budget is 0.1% of the valid probes only (59.76), half of it used', () => {
    assert.ok(Math.abs(r.budget.totalEvents - 59.76) < 1e-9);
    assert.ok(Math.abs(r.budget.consumedRatio! - 30 / 59.76) < 1e-12);
    // As time: 59.76 probes × 10 s = 597.6 s; 300 s consumed.
    assert.ok(Math.abs(r.budget.totalMs! - 597_600) < 1e-6);
    assert.ok(Math.abs(r.budget.consumedMs! - 300_000) < 1e-6);
  });

  it('a burn window that falls entirely in the gap has no burn rate (not zero), and so no alert', () => {
    assert.equal(r.burnRates['1h'], 0); // the last 30 minutes answered
    const inGap = computeSlo(planSlo(def, reg, noExclusions, gapTo - 10 * MIN), src);
    assert.equal(inGap.burnRates['5m'], null);
    assert.equal(inGap.burnRates['1h'], null);
    assert.equal(inGap.exhaustsInMs, null);
    assert.ok(inGap.alerts.every((a) => !a.firing));
  });

  it('the unknown time is reported as time too (720 probes × 10 s = 2 h)', () => {
    assert.equal(r.numbers.unknown / reg.targets[0].intervalMs ** -1, 2 * HOUR);
  });
});
