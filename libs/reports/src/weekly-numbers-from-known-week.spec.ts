import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildWeeklyReport, ninesOf } from './weekly-model';
import { w47Input } from './weekly-fixture';

describe('weekly report model: the numbers of a known week', () => {
  const r = buildWeeklyReport(w47Input());

  it('MTTA and MTTR average the week’s incidents that are not drills', () => {
    // Acknowledged: #12 after 240 s, #15 after 120 s (the drill #13, 10 s, does not count).
    assert.equal(r.summary.mttaMs, 180_000);
    assert.equal(r.summary.mttaCount, 2);
    // Resolved: #12 in 783 s, #14 in 1202 s; #15 is still open, the drill is out.
    assert.equal(r.summary.mttrMs, 992_500);
    assert.equal(r.summary.mttrCount, 2);
    assert.equal(r.summary.incidents, 3);
    assert.equal(r.summary.drills, 1);
    assert.deepEqual(r.summary.bySeverity, { critical: 2, warning: 1 });
  });

  it('lists incidents in the order they opened, with their measurements as recorded', () => {
    assert.deepEqual(r.incidents.map((i) => i.id), [12, 13, 14, 15]);
    const i12 = r.incidents[0];
    assert.deepEqual([i12.ttdMs, i12.rtoMs, i12.rpoLagSeconds, i12.rpoLsnDiffBytes, i12.ttaMs, i12.ttrMs], [3_000, 100_000, 0.8, 12_288, 240_000, 783_000]);
  });

  it('counts failovers per system apart from drills, busiest first', () => {
    assert.equal(r.summary.failovers, 3);
    assert.equal(r.summary.failoverDrills, 1);
    assert.deepEqual(r.failovers.map((f) => f.system), ['orders-db', 'edge-vip', 'ledger-db']);
  });

  it('orders the flappiest targets by flips, then failures', () => {
    assert.deepEqual(r.flappy.map((f) => [f.target.slice(0, 18), f.flips]), [['sessions/@endpoint', 6], ['a-target-with-an-e', 6], ['orders-db/pg1', 2]]);
  });

  it('per SLO: nines, budget consumed, the trend against last week and what changed', () => {
    const [orders, home, search] = r.slos;
    assert.equal(orders.met, false);
    assert.ok(Math.abs(orders.nines! - -Math.log10(1 - 0.99942)) < 1e-12);
    assert.ok(Math.abs(orders.budgetConsumed! - 1.16) < 1e-12);
    assert.ok(Math.abs(orders.trend! - -0.72) < 1e-12, String(orders.trend));
    assert.equal(orders.exhausted, true);
    assert.equal(orders.newlyExhausted, true);
    assert.equal(orders.newlyBreached, true);

    assert.equal(home.met, true);
    assert.equal(home.weekNines, Infinity, 'a perfect week has infinitely many nines');
    assert.ok(Math.abs(home.trend! - 0.08) < 1e-12);
    assert.equal(home.newlyBreached, false);

    assert.equal(search.met, true);
    assert.equal(search.recovered, true, 'was below objective a week ago');
    assert.equal(search.exhausted, false);

    assert.equal(r.summary.slos, 3);
    assert.equal(r.summary.slosMet, 2);
    assert.deepEqual(
      r.changes.map((c) => [c.kind, c.slo]),
      [
        ['breached', 'orders-db-availability'],
        ['exhausted', 'orders-db-availability'],
        ['recovered', 'search-latency'],
      ],
    );
    assert.match(r.changes[0].message, /99\.942% < 99\.95% over 30d/);
  });

  it('an SLO already breached and exhausted last week is not news again', () => {
    const again = buildWeeklyReport(w47Input({ slos: [{ ...w47Input().slos[0], previousAvailability: 0.9994, previousBudgetRemaining: -0.05 }] }));
    assert.deepEqual(again.changes, []);
    assert.equal(again.slos[0].exhausted, true);
  });

  it('nines: 99.9% is three, 100% is infinite, no data is undefined', () => {
    assert.ok(Math.abs(ninesOf(0.999)! - 3) < 1e-9);
    assert.equal(ninesOf(1), Infinity);
    assert.equal(ninesOf(undefined), undefined);
  });

  it('a quiet week: no incidents gives no MTTA/MTTR rather than zero', () => {
    const q = buildWeeklyReport(w47Input({ incidents: [], failovers: [], flappy: [], openAtEnd: 0 }));
    assert.equal(q.summary.mttaMs, undefined);
    assert.equal(q.summary.mttrMs, undefined);
    assert.equal(q.summary.failovers, 0);
  });
});
