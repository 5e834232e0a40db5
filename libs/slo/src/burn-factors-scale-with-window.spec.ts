import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALERT_PAIRS, burnFactor } from './burn-alerts';
import { resolveWindow } from './window';
import { parseWindow } from './definition';

const factors = (days: number) => ALERT_PAIRS.map((p) => burnFactor(p, days));

describe('burn-rate factors scale with the window length', () => {
  it('30 days: the workbook numbers 14.4, 6, 3, 1', () => {
    assert.deepEqual(factors(30), [14.4, 6, 3, 1]);
  });

  it('7 days: 3.36, 1.4, 0.7, 0.2333…', () => {
    assert.deepEqual(factors(7), [3.36, 1.4, 0.7, +(0.7 / 3).toPrecision(12)]);
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
