import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlo, planSlo } from './engine';
import { MemoryCountSource } from './memory-source';
import { noExclusions, registry, slo, target } from './slo-fixtures';
import { calendarPeriod } from './window';

const MIN = 60_000;
// 01:30 on April 1 in Tokyo (UTC+9) is 16:30 on March 31 in UTC.
const NOW = Date.UTC(2026, 2, 31, 16, 30, 10);
const APRIL_1_JST = Date.UTC(2026, 2, 31, 15, 0);

describe('calendar month in UTC+9 (Asia/Tokyo)', () => {
  // One probe a minute from March 25. An hour of failures late on March 31 JST (14:00-15:00 UTC)
  // and five failed minutes just after midnight JST on April 1 (15:10-15:15 UTC).
  const src = new MemoryCountSource()
    .fill(1, Date.UTC(2026, 2, 25), NOW, { total: 1, good: 1 })
    .fill(1, Date.UTC(2026, 2, 31, 14, 0), Date.UTC(2026, 2, 31, 15, 0), { total: 0, good: -1 })
    .fill(1, Date.UTC(2026, 2, 31, 15, 10), Date.UTC(2026, 2, 31, 15, 15), { total: 0, good: -1 });
  const reg = registry([target(1, 'web')]);
  const tokyo = computeSlo(planSlo(slo({ window: 'month', timezone: 'Asia/Tokyo' }), reg, noExclusions, NOW, { daily: true }), src);

  it('the month starts at local midnight: 15:00 UTC the day before', () => {
    assert.equal(tokyo.plan.window.start, APRIL_1_JST);
    assert.equal(tokyo.plan.window.end, Date.UTC(2026, 2, 31, 16, 30));
    assert.equal(tokyo.plan.window.periodEnd, Date.UTC(2026, 3, 30, 15, 0)); // May 1 00:00 JST
  });

  it("counts April's 90 minutes only: March's failures belong to the previous month", () => {
    assert.equal(tokyo.numbers.valid, 90);
    assert.equal(tokyo.numbers.bad, 5);
    assert.equal(tokyo.numbers.sli, 85 / 90);
  });

  it('budget: 0.1% of April (30 days = 43,200 minutes) = 43.2 minutes; 5 used, 38m 12s left', () => {
    assert.ok(Math.abs(tokyo.budget.totalEvents - 43.2) < 1e-9);
    assert.equal(tokyo.budget.consumedEvents, 5);
    assert.equal(tokyo.budgetSentence, '38m 12s of downtime left this month');
  });

  it('the daily series has one local day, April 1', () => {
    assert.deepEqual(
      tokyo.daily!.map((d) => [d.day, d.from, d.to, d.numbers.bad]),
      [['2026-04-01', APRIL_1_JST, Date.UTC(2026, 2, 31, 16, 30), 5]],
    );
  });

  it('the same data in UTC is still March: all 65 bad minutes count, over 30 days and 16.5 hours', () => {
    const utc = computeSlo(planSlo(slo({ window: 'month', timezone: 'UTC' }), reg, noExclusions, NOW), src);
    assert.equal(utc.plan.window.start, Date.UTC(2026, 2, 1));
    assert.equal(utc.numbers.bad, 65);
    assert.equal(utc.numbers.valid, (6 * 24 + 16.5) * 60); // data starts March 25
    assert.equal(utc.numbers.unknown, 24 * 24 * 60); // March 1-24 has no data: unknown, not bad
  });

  it('weeks start on Monday and quarters in January, April, July, October, in local time', () => {
    // Monday March 30 00:00 JST = Sunday March 29 15:00 UTC.
    assert.deepEqual(calendarPeriod('week', NOW, 'Asia/Tokyo'), { start: Date.UTC(2026, 2, 29, 15), end: Date.UTC(2026, 3, 5, 15) });
    assert.deepEqual(calendarPeriod('quarter', NOW, 'Asia/Tokyo'), { start: APRIL_1_JST, end: Date.UTC(2026, 5, 30, 15) });
    assert.deepEqual(calendarPeriod('quarter', NOW, 'UTC'), { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 3, 1) });
  });

  it('a month across a DST change is an hour shorter in Europe/Berlin', () => {
    const p = calendarPeriod('month', Date.UTC(2026, 2, 15), 'Europe/Berlin');
    assert.equal(p.start, Date.UTC(2026, 1, 28, 23));
    assert.equal(p.end, Date.UTC(2026, 2, 31, 22));
    assert.equal((p.end - p.start) / MIN, 31 * 1440 - 60);
  });
});
