import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlo, planSlo } from './engine';
import { MemoryCountSource } from './memory-source';
import { noExclusions, registry, slo, target } from './slo-fixtures';

const MIN = 60_000;
const DAY = 86_400_000;
const MARCH_1 = Date.UTC(2026, 2, 1);
const NOW = Date.UTC(2026, 2, 16, 0, 0, 30); // 15 days into a 31-day month

describe('budget exhausted mid-month (calendar month, UTC, 99.9%)', () => {
  // One probe a minute, all good, except a 50-minute outage on March 10.
  const outage = Date.UTC(2026, 2, 10, 8, 0);
  const src = new MemoryCountSource()
    .fill(1, MARCH_1, outage, { total: 1, good: 1 })
    .fill(1, outage, outage + 50 * MIN, { total: 1, good: 0 })
    .fill(1, outage + 50 * MIN, NOW, { total: 1, good: 1 });
  const reg = registry([target(1, 'web')]);
  const r = computeSlo(planSlo(slo({ window: 'month' }), reg, noExclusions, NOW), src);

  it('measures from the first of the month to the start of the current minute', () => {
    assert.equal(r.plan.window.start, MARCH_1);
    assert.equal(r.plan.window.end, Date.UTC(2026, 2, 16, 0, 0));
    assert.equal(r.plan.window.periodEnd, Date.UTC(2026, 3, 1));
  });

  it('budget is 0.1% of the whole month (44,640 minutes → 44.64), 50 bad minutes overspend it by 5.36', () => {
    // valid so far: 15 days × 1440 = 21,600; the rest of March: 16 × 1440 = 23,040.
    assert.equal(r.numbers.valid, 21_600);
    assert.equal(r.numbers.bad, 50);
    assert.ok(Math.abs(r.budget.totalEvents - 44.64) < 1e-9);
    assert.ok(Math.abs(r.budget.consumedRatio! - 50 / 44.64) < 1e-12);
    assert.ok(Math.abs(r.budget.remainingRatio! - (1 - 50 / 44.64)) < 1e-12);
    assert.equal(r.budget.exhausted, true);
    // −5.36 minutes = −321.6 s
    assert.ok(Math.abs(r.budget.remainingMs! + 321_600) < 1e-6);
    assert.equal(r.budgetSentence, 'budget exhausted: 5m 22s over this month');
  });

  it('availability and nines over the 15 days', () => {
    assert.equal(r.numbers.sli, 1 - 50 / 21_600);
    assert.ok(Math.abs(r.nines! - -Math.log10(50 / 21_600)) < 1e-12);
    assert.equal(r.nines!.toFixed(2), '2.64');
  });

  it('an exhausted budget runs out "now"; nothing burns now, so no alert fires', () => {
    assert.equal(r.exhaustsInMs, 0);
    assert.equal(r.burnRates['1h'], 0);
    assert.equal(r.burnRates['3d'], 0);
    assert.ok(r.alerts.every((a) => !a.firing));
  });

  it('a day earlier than the outage the whole month budget was still there', () => {
    const before = computeSlo(planSlo(slo({ window: 'month' }), reg, noExclusions, outage), src);
    assert.equal(before.budget.consumedEvents, 0);
    assert.equal(before.budget.remainingRatio, 1);
    assert.equal(before.budgetSentence, '44m 38s of downtime left this month');
  });

  it('without the rest of the month (a rolling 15d window) the same outage is a larger share of a smaller budget', () => {
    const rolling = computeSlo(planSlo(slo({ window: '15d' }), reg, noExclusions, NOW), src);
    assert.equal(rolling.numbers.valid, 15 * 1440);
    assert.ok(Math.abs(rolling.budget.totalEvents - 21.6) < 1e-9);
    assert.equal(rolling.plan.window.start, rolling.plan.window.end - 15 * DAY);
  });
});
