import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateScope, fingerprint, type AlertSpec, type AlertStatus } from './alert';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const lagging = (forMs: number): AlertSpec => ({ labels: { alertname: 'ReplicationLagging', system: 'orders-db', member: 'pg2' }, annotations: { summary: 'pg2 lags 40s' }, forMs });

describe('evaluateScope: what one evaluation of a scope stores', () => {
  it('a new alert with for: 0 goes pending and firing in one change', () => {
    const known = new Map<string, AlertStatus>();
    const changes = evaluateScope(known, [lagging(0)], T0);
    assert.deepEqual(changes.map((c) => c.transitions), [['pending', 'firing']]);
    assert.equal(known.get(fingerprint(lagging(0).labels))?.state, 'firing');
  });

  it('a pending alert whose condition cleared is stored as inactive, with nothing to notify', () => {
    const known = new Map<string, AlertStatus>();
    assert.deepEqual(evaluateScope(known, [lagging(60_000)], T0).map((c) => c.transitions), [['pending']]);
    const cleared = evaluateScope(known, [], T0 + 10_000);
    assert.equal(cleared.length, 1);
    assert.deepEqual(cleared[0].transitions, []);
    assert.equal(cleared[0].status.state, 'inactive');
    // Coming back later starts its `for` anew instead of firing on the old start.
    assert.deepEqual(evaluateScope(known, [lagging(60_000)], T0 + 65_000).map((c) => c.transitions), [['pending']]);
  });

  it('nothing changed, nothing to store', () => {
    const known = new Map<string, AlertStatus>();
    evaluateScope(known, [lagging(0)], T0);
    assert.deepEqual(evaluateScope(known, [lagging(0)], T0 + 1000), []);
    evaluateScope(known, [], T0 + 2000);
    assert.deepEqual(evaluateScope(known, [], T0 + 3000), []);
  });
});
