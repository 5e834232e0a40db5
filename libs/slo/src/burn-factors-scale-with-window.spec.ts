import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertPairs } from './burn-alerts';
import { resolveWindow } from './window';
import { parseWindow } from './definition';

const factors = (days: number) => alertPairs(days).map((p) => p.factor);

describe('burn-rate factors scale with the window length', () => {
  it('30 days: the workbook numbers 14.4, 6, 3, 1', () => {
    assert.deepEqual(factors(30), [14.4, 6, 3, 1]);
  });

  it('7 days: Sloth\'s 7d window spec (8%, 12.5%, 20%, 42%): 13.44, 3.5, 1.4, 0.98', () => {
    assert.deepEqual(factors(7), [13.44, 3.5, 1.4, 0.98]);
    assert.deepEqual(alertPairs(7).map((p) => p.budgetFraction), [0.08, 0.125, 0.2, 0.42]);
  });

  it('other periods take the nearest Sloth spec, scaled to their length: 14d as 7d, 60d as 30d', () => {
    assert.deepEqual(factors(14), [26.88, 7, 2.8, 1.96]);
    assert.deepEqual(factors(60), [28.8, 12, 6, 2]);
  });

  it('calendar windows use their nominal length: month 30, quarter 90, week 7', () => {
    const now = Date.UTC(2026, 1, 10);
    assert.equal(resolveWindow(parseWindow('month'), 'UTC', now).nominalDays, 30); // even in February
    assert.equal(resolveWindow(parseWindow('quarter'), 'UTC', now).nominalDays, 90);
    assert.equal(resolveWindow(parseWindow('week'), 'UTC', now).nominalDays, 7);
    assert.deepEqual(factors(90), [43.2, 18, 9, 3]);
  });

  it('rolling windows of any duration: 28d and 4w are the same', () => {
    const now = Date.UTC(2026, 1, 10, 5, 7, 30);
    const a = resolveWindow(parseWindow('28d'), 'UTC', now);
    const b = resolveWindow(parseWindow('4w'), 'UTC', now);
    assert.equal(a.nominalDays, 28);
    assert.deepEqual([a.start, a.end], [b.start, b.end]);
    assert.deepEqual(factors(28), [13.44, 5.6, 2.8, +(2.8 / 3).toPrecision(12)]);
  });
});
