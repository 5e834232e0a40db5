import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRoute } from '../route';
import { groupsToJoin, notifies, selectMembers } from './grouping';
import { member, route, T0 } from './dispatch-fixtures';

const tree = buildRoute({
  receiver: 'oncall',
  group_by: ['system'],
  group_wait: '1s',
  routes: [
    { matchers: ['severity="page"'], receiver: 'pager', continue: true, group_wait: '0s' },
    { matchers: ['system="orders-db"'], receiver: 'dba', group_by: ['...'] },
  ],
});

describe('grouping', () => {
  it('puts an alert into one group per matching route, keyed by its group_by values', () => {
    const joins = groupsToJoin(tree, { alertname: 'SystemDown', system: 'orders-db', severity: 'page' }, T0);
    assert.deepEqual(
      joins.map((j) => [j.route.receiver, j.key, j.firstFlushAt - T0]),
      [
        ['pager', '0.0:{"system":"orders-db"}', 0],
        ['dba', '0.1:{"alertname":"SystemDown","severity":"page","system":"orders-db"}', 1000],
      ],
    );
  });

  it('joins nothing without a route tree', () => {
    assert.deepEqual(groupsToJoin(undefined, { system: 'orders-db' }, T0), []);
  });

  it('treats firing and resolved as news, and holds flips while flapping', () => {
    assert.equal(notifies(['firing'], false), true);
    assert.equal(notifies(['pending'], false), false);
    assert.equal(notifies(['resolved'], true), false);
    assert.equal(notifies(['flapping'], true), true);
    assert.equal(notifies(['stable'], false), true);
  });

  it('selects firing members that are not suppressed, resolutions that were notified, and who leaves', () => {
    const members = [
      member('SystemDown'),
      member('MemberDown', { labels: { alertname: 'MemberDown', system: 'orders-db', severity: 'warning' } }),
      member('ReplicationLagging', { state: 'pending' }),
      member('TargetDown', { state: 'resolved', notifiedState: 'firing' }),
      member('SplitBrain', { state: 'inactive' }),
    ];
    const s = selectMembers(members, route, (a) => a.labels.severity === 'warning' && a.labels.alertname === 'MemberDown');
    assert.deepEqual(s.firing.map((a) => a.labels.alertname), ['SystemDown']);
    assert.deepEqual(s.resolved.map((a) => a.labels.alertname), ['TargetDown']);
    assert.deepEqual(s.finished.map((a) => a.labels.alertname), ['TargetDown', 'SplitBrain']);
  });
});
