import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlo, planSlo } from './engine';
import { MemoryCountSource } from './memory-source';
import { selectSeries } from './selection';
import { noExclusions, registry, slo, target } from './slo-fixtures';

const MIN = 60_000;
const NOW = Date.UTC(2026, 8, 1, 0, 0);

describe('selectors: a system is its endpoint, or its members taken together; labels sum targets', () => {
  const reg = registry(
    [
      target(1, 'orders-db/@endpoint', { system: 'orders-db', isEndpoint: true, intervalMs: 5_000 }),
      target(2, 'orders-db/pg1', { system: 'orders-db', member: 'pg1' }),
      target(3, 'cache/r1', { system: 'cache', member: 'r1', labels: { team: 'web' } }),
      target(4, 'cache/r2', { system: 'cache', member: 'r2', labels: { team: 'web' } }),
      target(5, 'homepage', { labels: { team: 'web' }, intervalMs: 10_000 }),
    ],
    { 'orders-db': 7, cache: 8 },
  );

  it('a system with an endpoint is measured by the endpoint probe', () => {
    const s = selectSeries({ system: 'orders-db' }, reg);
    assert.deepEqual(s.series.map((x) => [x.id, x.key, x.unit]), [[1, 'orders-db/@endpoint', 'probe']]);
    assert.equal(s.perMs, 1 / 5_000);
  });

  it('a system without one by its "any member" minute series (stored as −id)', () => {
    const s = selectSeries({ system: 'cache' }, reg);
    assert.deepEqual(s.series.map((x) => [x.id, x.unit]), [[-8, 'minute']]);
    assert.deepEqual(s.prom, { kind: 'system-any', system: 'cache' });
    assert.equal(s.perMs, 1 / MIN);
  });

  it('labels select every target carrying them, summed (probes of different intervals)', () => {
    const s = selectSeries({ labels: { team: 'web' } }, reg);
    assert.deepEqual(s.series.map((x) => x.key), ['cache/r1', 'cache/r2', 'homepage']);
    assert.deepEqual(s.systems, ['cache']);
    assert.equal(s.perMs, 1 / MIN + 1 / MIN + 1 / 10_000);
  });

  it('a labels SLO is the ratio of the summed counts', () => {
    const src = new MemoryCountSource()
      .fill(3, NOW - 60 * MIN, NOW, { total: 1, good: 1 })
      .fill(4, NOW - 60 * MIN, NOW, { total: 1, good: 0 })
      .fill(5, NOW - 60 * MIN, NOW, { total: 6, good: 6 });
    const r = computeSlo(planSlo(slo({ selector: { labels: { team: 'web' } }, window: '1h' }), reg, noExclusions, NOW), src);
    assert.equal(r.numbers.valid, 60 * 8);
    assert.equal(r.numbers.bad, 60);
    assert.equal(r.numbers.sli, 420 / 480);
  });

  it('an unknown target selects nothing: no data, no budget, no alert', () => {
    const r = computeSlo(planSlo(slo({ selector: { target: 'gone' } }), reg, noExclusions, NOW), new MemoryCountSource());
    assert.equal(r.numbers.sli, null);
    assert.equal(r.budget.remainingMs, null);
    assert.equal(r.budgetSentence, 'no data yet');
    assert.ok(r.alerts.every((a) => !a.firing));
  });
});
