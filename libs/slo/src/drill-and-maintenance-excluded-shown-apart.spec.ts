import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlo, planSlo } from './engine';
import { timeIntervalRanges, type ExclusionInputs } from './exclusions';
import { MemoryCountSource } from './memory-source';
import { reportJson } from './report-json';
import { registry, slo, target } from './slo-fixtures';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 6, 15, 12, 0); // Wednesday
const reg = registry([target(1, 'orders-db/@endpoint', { system: 'orders-db', isEndpoint: true })]);

describe('drills, maintenance windows and silences: excluded, and shown apart', () => {
  // One probe a minute for 7 days. Failures: 20 minutes during a drill, 30 minutes in Sunday's
  // maintenance window, 10 minutes under a silence, and 4 ordinary failed minutes.
  const drill = { from: NOW - 2 * DAY, to: NOW - 2 * DAY + 20 * MIN };
  const sunday2am = Date.UTC(2026, 6, 12, 0, 0); // 02:00 in Berlin (UTC+2) on Sunday July 12
  const silence = { from: NOW - 3 * HOUR, to: NOW - 3 * HOUR + 10 * MIN };
  const ordinary = NOW - 5 * DAY;
  const src = new MemoryCountSource()
    .fill(1, NOW - 7 * DAY, NOW, { total: 1, good: 1 })
    .fill(1, drill.from, drill.to, { total: 0, good: -1 })
    .fill(1, sunday2am, sunday2am + 30 * MIN, { total: 0, good: -1 })
    .fill(1, silence.from, silence.to, { total: 0, good: -1 })
    .fill(1, ordinary, ordinary + 4 * MIN, { total: 0, good: -1 });
  const inputs: ExclusionInputs = {
    // A drill's times are not minute-aligned: the minutes it touches are excluded whole.
    drills: [{ system: 'orders-db', start: drill.from + 15_000, end: drill.to - 30_000 }, { system: 'other', start: ordinary, end: ordinary + 4 * MIN }],
    silences: [{ matchers: [{ name: 'slo', op: '=', value: 'orders' }], start: silence.from, end: silence.to }],
    timeIntervals: new Map([['sunday-patching', [{ weekdays: ['sunday'], times: ['02:00-04:00'], location: 'Europe/Berlin' }]]]),
  };
  const def = slo({ name: 'orders', selector: { system: 'orders-db' }, window: '7d', exclude: { drills: true, maintenance: true, silenced: true, maintenance_windows: ['sunday-patching'] } });
  const r = computeSlo(planSlo(def, reg, inputs, NOW), src);

  it('only the 4 ordinary failures count against the SLO', () => {
    assert.equal(r.numbers.bad, 4);
    // 7 days of minutes minus the excluded 20 + 120 (the whole 2-hour window) + 10.
    assert.equal(r.numbers.valid, 7 * 1440 - 150);
    assert.equal(r.numbers.excluded.events, 150);
    assert.equal(r.numbers.excluded.bad, 60);
    assert.equal(r.numbers.unknown, 0);
  });

  it('each reason is reported with its own counts and ranges', () => {
    assert.deepEqual({ ...r.excludedByReason.drills, ranges: undefined }, { good: 0, bad: 20, events: 20, ms: 20 * MIN, ranges: undefined });
    assert.deepEqual(r.excludedByReason.drills.ranges, [[drill.from, drill.to]]);
    assert.equal(r.excludedByReason.maintenance.events, 120);
    assert.equal(r.excludedByReason.maintenance.bad, 30);
    assert.deepEqual(r.excludedByReason.maintenance.ranges, [[sunday2am, sunday2am + 2 * HOUR]]);
    assert.equal(r.excludedByReason.silenced.bad, 10);
    const json = reportJson(r);
    assert.equal(json.excluded.maintenance.ranges[0].start, '2026-07-12T00:00:00.000Z');
  });

  it('excluded minutes do not burn: the silenced failures 3 hours ago leave the 6h burn rate at 0', () => {
    assert.equal(r.burnRates['6h'], 0);
  });

  it('with exclusions switched off the same failures count', () => {
    const all = computeSlo(planSlo(slo({ ...def, selector: { system: 'orders-db' }, window: '7d', exclude: { drills: false, maintenance: false, silenced: false } }), reg, inputs, NOW), src);
    assert.equal(all.numbers.bad, 64);
    assert.equal(all.numbers.excluded.events, 0);
    assert.ok(all.burnRates['6h']! > 0);
  });

  it('recurring windows follow the local calendar and wrap past midnight on the same weekday', () => {
    const monday = Date.UTC(2026, 6, 13);
    const r2 = timeIntervalRanges({ weekdays: ['monday'], times: ['22:00-02:00'] }, monday - DAY, monday + 2 * DAY);
    assert.deepEqual(r2, [
      [monday, monday + 2 * HOUR],
      [monday + 22 * HOUR, monday + DAY],
    ]);
    const once = timeIntervalRanges({ start: '2026-07-14T10:00:00Z', end: '2026-07-14T10:45:00Z' }, monday, monday + 3 * DAY);
    assert.deepEqual(once, [[Date.UTC(2026, 6, 14, 10), Date.UTC(2026, 6, 14, 10, 45)]]);
  });
});
