import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { burnAlerts } from './burn-alerts';
import { computeSlo, planSlo } from './engine';
import { MemoryCountSource } from './memory-source';
import { noExclusions, registry, slo, target } from './slo-fixtures';

const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 10, 12, 0);
const reg = registry([target(1, 'web', { system: 'shop' })]);
const def = slo({ window: '30d' }); // 99.9%: burn rate 1 = 0.1% errors

const firing = (r: ReturnType<typeof computeSlo>) => r.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.long}/${a.short}`);
const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

describe('fast burn pages, slow burn tickets (30-day budget, 99.9%)', () => {
  it('a total outage for the last 10 minutes pages on both page pairs (and tickets too)', () => {
    const src = new MemoryCountSource().fill(1, NOW - 30 * DAY, NOW - 10 * MIN, { total: 1, good: 1 }).fill(1, NOW - 10 * MIN, NOW, { total: 1, good: 0 });
    const r = computeSlo(planSlo(def, reg, noExclusions, NOW), src);
    // Burn = error ratio / 0.001: 5m 100% → 1000; 1h 10/60 → 166.67; 6h 10/360 → 27.8; 1d 10/1440 → 6.94; 3d → 2.31.
    close(r.burnRates['5m'], 1000);
    close(r.burnRates['30m'], (10 / 30) * 1000);
    close(r.burnRates['1h'], (10 / 60) * 1000);
    close(r.burnRates['6h'], (10 / 360) * 1000);
    close(r.burnRates['1d'], (10 / 1440) * 1000);
    close(r.burnRates['3d'], (10 / 4320) * 1000);
    assert.deepEqual(firing(r), ['page 1h/5m', 'page 6h/30m', 'ticket 1d/2h', 'ticket 3d/6h']);
  });

  it('0.5% errors for three days (burn 5) opens tickets only: below 14.4 and 6, above 3 and 1', () => {
    // One failure in every 200 probes: 200 probes a minute, one of them failing.
    const src = new MemoryCountSource().fill(1, NOW - 30 * DAY, NOW - 3 * DAY, { total: 200, good: 200 }).fill(1, NOW - 3 * DAY, NOW, { total: 200, good: 199 });
    const r = computeSlo(planSlo(def, reg, noExclusions, NOW), src);
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const) close(r.burnRates[w], 5);
    assert.deepEqual(firing(r), ['ticket 1d/2h', 'ticket 3d/6h']);
  });

  it('after a 30-minute outage ends, the 1h/5m page resolves within 5 minutes while 6h/30m still holds', () => {
    const end = NOW - 10 * MIN;
    const src = new MemoryCountSource()
      .fill(1, NOW - 30 * DAY, end - 30 * MIN, { total: 1, good: 1 })
      .fill(1, end - 30 * MIN, end, { total: 1, good: 0 })
      .fill(1, end, NOW, { total: 1, good: 1 });
    const r = computeSlo(planSlo(def, reg, noExclusions, NOW), src);
    close(r.burnRates['5m'], 0);
    close(r.burnRates['1h'], 500);
    close(r.burnRates['30m'], (20 / 30) * 1000);
    assert.deepEqual(firing(r), ['page 6h/30m', 'ticket 1d/2h', 'ticket 3d/6h']);
  });

  it('a burn exactly at the factor does not fire (strictly above), one more error does', () => {
    // 1h: 0.0144 × 1000 probes/min... use 10,000 probes a minute so 14.4 is a whole count: 144 errors/min in 1h.
    const at = new MemoryCountSource().fill(1, NOW - 2 * 60 * MIN, NOW, { total: 10_000, good: 10_000 - 144 });
    const r = computeSlo(planSlo(def, reg, noExclusions, NOW), at);
    close(r.burnRates['1h'], 14.4);
    assert.ok(!r.alerts.find((a) => a.long === '1h')!.firing);
    const above = at.fill(1, NOW - MIN, NOW, { total: 0, good: -1 });
    assert.ok(computeSlo(planSlo(def, reg, noExclusions, NOW), above).alerts.find((a) => a.long === '1h')!.firing);
  });

  it('the page says how fast the budget is going and when it runs out', () => {
    const src = new MemoryCountSource().fill(1, NOW - 30 * DAY, NOW - 10 * MIN, { total: 1, good: 1 }).fill(1, NOW - 10 * MIN, NOW, { total: 1, good: 0 });
    const r = computeSlo(planSlo(def, reg, noExclusions, NOW), src);
    const specs = burnAlerts(r.alerts, { slo: 'checkout', windowLabel: '30d', windowDays: 30, labels: { system: 'shop' }, exhaustsInMs: r.exhaustsInMs });
    const page = specs.find((s) => s.labels.long_window === '1h')!;
    assert.deepEqual(page.labels, { system: 'shop', alertname: 'SLOBurnRate', severity: 'page', slo: 'checkout', long_window: '1h', short_window: '5m' });
    // 30 days = 43,200 probes → budget 43.2; 10 used → 33.2 left; at 166.67× the budget rate
    // (1/6 of probes failing = 1 every 6 minutes) that is 33.2 × 6 = 199.2 minutes.
    close(r.exhaustsInMs, 199.2 * MIN);
    assert.equal(
      page.annotations.summary,
      'checkout: error budget burning 167× too fast over 1h (1000× over 5m): 23.1% of the 30d budget spent in the last 1h; at this rate the budget is gone in 3h 19m',
    );
  });
});
