import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCountSource } from '../../slo/src/memory-source';
import { noExclusions, registry, slo, target } from '../../slo/src/slo-fixtures';
import { computeSloWeek, planSloWeek, sloWeekCutRequests } from './slo-week';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const START = Date.UTC(2026, 10, 16); // 2026-W47, UTC
const END = START + 7 * D;
const near = (a: number | undefined, b: number, what: string) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

describe('SLO figures for a week, from per-minute counts (99.9% over 30d, one probe a minute)', () => {
  // All good, except 10 bad minutes last week (Wed 11 Nov 12:00) and 30 this week (Tue 17 Nov 03:00–03:30).
  const lastWeek = Date.UTC(2026, 10, 11, 12);
  const thisWeek = Date.UTC(2026, 10, 17, 3);
  const src = new MemoryCountSource()
    .fill(1, END - 40 * D, END + D, { total: 1, good: 1 })
    .gap(1, lastWeek, lastWeek + 10 * MIN)
    .fill(1, lastWeek, lastWeek + 10 * MIN, { total: 1, good: 0 })
    .gap(1, thisWeek, thisWeek + 30 * MIN)
    .fill(1, thisWeek, thisWeek + 30 * MIN, { total: 1, good: 0 });
  const plans = planSloWeek(slo({ name: 'checkout', window: '30d' }), registry([target(1, 'web')]), noExclusions, START, END);
  const w = computeSloWeek(plans, src);

  it('availability this week and over the window ending with it', () => {
    near(w.weekAvailability, 1 - 30 / 10_080, 'week');
    near(w.availability, 1 - 40 / 43_200, 'window');
    assert.equal(w.windowStart, END - 30 * D);
    assert.equal(w.windowEnd, END);
  });

  it('budget remaining now and a week ago: 43.2 bad minutes allowed, 40 spent, 10 of them a week ago', () => {
    near(w.budgetRemaining, 1 - 40 / 43.2, 'now');
    near(w.previousBudgetRemaining, 1 - 10 / 43.2, 'a week ago');
    near(w.previousAvailability, 1 - 10 / 43_200, 'a week ago');
  });

  it('burn-rate peaks: the worst hour burned at 500×, the worst six hours at 83.3×', () => {
    const [h1, h6] = w.burnRatePeaks;
    assert.equal(h1.window, '1h');
    near(h1.peak, 0.5 / 0.001, '1h');
    assert.equal(h1.at, thisWeek);
    assert.equal(h1.until, thisWeek + H);
    assert.equal(h6.window, '6h');
    near(h6.peak, 30 / 360 / 0.001, '6h');
    assert.equal(h6.at, thisWeek - 5 * H, 'the first 6 h run that holds the outage');
  });

  it('the budget line: one point per day of the window, from 100% to what is left', () => {
    assert.equal(w.budgetSeries.length, 31);
    assert.deepEqual(w.budgetSeries[0], { at: END - 30 * D, remaining: 1 });
    near(w.budgetSeries[30].remaining, 1 - 40 / 43.2, 'last point');
    assert.equal(w.budgetSeries[30].at, END);
    // Flat until the first outage's day, then one step per outage.
    const steps = w.budgetSeries.filter((p, i) => i > 0 && p.remaining < w.budgetSeries[i - 1].remaining).map((p) => new Date(p.at).toISOString().slice(0, 10));
    assert.deepEqual(steps, ['2026-11-12', '2026-11-18']);
  });

  it('asks a prefix-sum reader for every cut it uses, hours of the week included', () => {
    const [req] = sloWeekCutRequests([plans]);
    assert.equal(req.seriesId, 1);
    for (const t of [START, END, END - 7 * D, END - 30 * D, thisWeek, thisWeek + H, END - 37 * D]) assert.ok(req.cuts.includes(t), new Date(t).toISOString());
  });

  it('a calendar window spans its whole period on the chart', () => {
    const m = computeSloWeek(planSloWeek(slo({ window: 'month' }), registry([target(1, 'web')]), noExclusions, START, END), src);
    assert.equal(m.windowStart, Date.UTC(2026, 10, 1));
    assert.equal(m.windowEnd, Date.UTC(2026, 11, 1));
    // 22 days measured of a 30-day month: the budget counts the whole month.
    near(m.budgetRemaining, 1 - 40 / (0.001 * 30 * 1440), 'month');
  });
});
