import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRoute } from './route';

describe('route tree: children inherit their parent settings (Alertmanager semantics)', () => {
  const root = buildRoute({
    receiver: 'oncall',
    group_by: ['system'],
    group_wait: '10s',
    group_interval: '2m',
    repeat_interval: '3h',
    send_resolved: false,
    mute_time_intervals: ['nights'],
    escalate: { after: '15m', receiver: 'boss' },
    routes: [
      { matchers: ['team="db"'], routes: [{ matchers: ['severity="page"'], receiver: 'dba', group_wait: '0s' }] },
      { matchers: ['team="web"'], group_by: [], repeat_interval: '1h', send_resolved: true, mute_time_intervals: ['weekends'] },
      { matchers: ['team="all"'], group_by: ['...'] },
    ],
  });
  const [db, web, all] = root.routes;
  const dba = db.routes[0];

  it("fills defaults on the root when not given: group_wait 1s (Alertmanager's is 30s), its 5m and 4h", () => {
    const r = buildRoute({ receiver: 'x' });
    assert.deepEqual([r.groupWaitMs, r.groupIntervalMs, r.repeatIntervalMs], [1_000, 300_000, 14_400_000]);
    assert.deepEqual(r.groupBy, []);
    assert.equal(r.sendResolved, true);
  });

  it('inherits receiver, group_by and every timer through levels', () => {
    assert.equal(db.receiver, 'oncall');
    assert.deepEqual(db.groupBy, ['system']);
    assert.deepEqual([db.groupWaitMs, db.groupIntervalMs, db.repeatIntervalMs], [10_000, 120_000, 3 * 3_600_000]);
    assert.equal(dba.receiver, 'dba');
    assert.deepEqual(dba.groupBy, ['system'], 'grandchild inherits from the root through its parent');
    assert.deepEqual([dba.groupWaitMs, dba.groupIntervalMs, dba.repeatIntervalMs], [0, 120_000, 3 * 3_600_000]);
    assert.equal(dba.sendResolved, false);
    assert.deepEqual(dba.escalate, { afterMs: 15 * 60_000, receiver: 'boss' });
  });

  it('a child setting overrides, and an empty group_by means one group for everything', () => {
    assert.deepEqual(web.groupBy, [], 'group_by: [] is a setting, not "inherit"');
    assert.equal(web.repeatIntervalMs, 3_600_000);
    assert.equal(web.sendResolved, true);
    assert.equal(all.groupBy, '...');
  });

  it('continue is never inherited', () => {
    const r = buildRoute({ receiver: 'x', routes: [{ matchers: ['a="1"'], continue: true, routes: [{ matchers: ['b="1"'] }] }] });
    assert.equal(r.routes[0].continue, true);
    assert.equal(r.routes[0].routes[0].continue, false);
  });

  it('mute_time_intervals are the route’s own, as in Alertmanager: not inherited by children', () => {
    assert.deepEqual(root.muteTimeIntervals, ['nights']);
    assert.deepEqual(db.muteTimeIntervals, []);
    assert.deepEqual(dba.muteTimeIntervals, []);
    assert.deepEqual(web.muteTimeIntervals, ['weekends']);
  });
});
