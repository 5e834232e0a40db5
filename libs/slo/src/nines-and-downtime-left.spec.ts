import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlo, planSlo } from './engine';
import { MemoryCountSource } from './memory-source';
import { humanDuration, nines } from './numbers';
import { ninesText, reportJson } from './report-json';
import { noExclusions, registry, slo, target } from './slo-fixtures';

const MIN = 60_000;

describe('availability nines and "downtime left"', () => {
  it('−log10(1 − availability): 99.95% → 3.30, 99.9% → 3, 90% → 1; no error → ∞; no data → —', () => {
    assert.equal(nines(0.9995)!.toFixed(2), '3.30');
    assert.ok(Math.abs(nines(0.999)! - 3) < 1e-9);
    assert.ok(Math.abs(nines(0.9)! - 1) < 1e-12);
    assert.equal(nines(1), Infinity);
    assert.equal(nines(null), null);
    assert.deepEqual([ninesText(nines(0.9995)), ninesText(Infinity), ninesText(null)], ['3.30', '∞', '—']);
  });

  it('"13m 2s of downtime left this month": April at 99.9% allows 43m 12s; 181 failed 10 s probes use 30m 10s', () => {
    const now = Date.UTC(2026, 3, 20, 9, 30);
    const src = new MemoryCountSource()
      .fill(1, Date.UTC(2026, 3, 1), now, { total: 6, good: 6 })
      .fill(1, Date.UTC(2026, 3, 7, 3, 0), Date.UTC(2026, 3, 7, 3, 30), { total: 0, good: -6 }) // 180 failures
      .fill(1, Date.UTC(2026, 3, 12, 0, 0), Date.UTC(2026, 3, 12, 0, 1), { total: 0, good: -1 }); // one more
    const r = computeSlo(planSlo(slo({ window: 'month' }), registry([target(1, 'web', { intervalMs: 10_000 })]), noExclusions, now), src);
    assert.equal(r.numbers.bad, 181);
    // Whole month: 30 × 1440 × 6 = 259,200 probes → budget 259.2 probes = 2592 s = 43m 12s.
    assert.ok(Math.abs(r.budget.totalMs! - 2_592_000) < 1e-6);
    assert.ok(Math.abs(r.budget.remainingMs! - 782_000) < 1e-6);
    assert.equal(r.budgetSentence, '13m 2s of downtime left this month');
    const json = reportJson(r);
    assert.equal(json.error_budget.summary, '13m 2s of downtime left this month');
    assert.equal(json.error_budget.remaining_ms, 782_000);
    assert.equal(json.events.bad, 181);
  });

  it('human durations keep the two largest units', () => {
    assert.deepEqual(
      [humanDuration(782_000), humanDuration(45_000), humanDuration(3_600_000), humanDuration(90_061_000), humanDuration(0)],
      ['13m 2s', '45s', '1h', '1d 1h', '0s'],
    );
    assert.equal(humanDuration(2 * 86_400_000 + 30 * MIN), '2d');
  });
});
