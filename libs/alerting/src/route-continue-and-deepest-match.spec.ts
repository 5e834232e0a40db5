import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteInput } from '../../config/src/schema';
import { buildRoute, groupKey, matchRoutes } from './route';

// The shape of Alertmanager's own routing tests: a root catch-all, teams below, continue on one.
const tree: RouteInput = {
  receiver: 'default',
  group_by: ['alertname'],
  routes: [
    {
      matchers: ['team="db"'],
      receiver: 'db',
      routes: [
        { matchers: ['severity="page"'], receiver: 'db-pager' },
        { matchers: ['system=~"orders-.*"'], receiver: 'orders' },
      ],
    },
    { matchers: ['severity="page"'], receiver: 'chatops', continue: true },
    { matchers: ['severity=~"page|critical"'], receiver: 'pager' },
    { matchers: ['severity="page"'], receiver: 'never' },
  ],
};
const root = buildRoute(tree);
const receivers = (labels: Record<string, string>) => matchRoutes(root, labels).map((r) => r.receiver);

describe('route tree: first match wins, continue goes on, the deepest match takes it', () => {
  it('an alert no child matches goes to the root', () => {
    assert.deepEqual(receivers({ alertname: 'TargetDown', severity: 'warning' }), ['default']);
  });

  it('the deepest matching route takes the alert, not its parent', () => {
    assert.deepEqual(receivers({ team: 'db', severity: 'page' }), ['db-pager']);
    assert.deepEqual(receivers({ team: 'db', system: 'orders-db' }), ['orders']);
  });

  it('a matching parent whose children do not match takes the alert itself', () => {
    assert.deepEqual(receivers({ team: 'db', severity: 'warning', system: 'ledger-db' }), ['db']);
  });

  it('siblings after the first match are not tried (team db pages go to db-pager only, not chatops)', () => {
    assert.deepEqual(receivers({ team: 'db', severity: 'page', system: 'orders-db' }), ['db-pager'], 'first matching child of team=db wins too');
  });

  it('continue: true lets the next siblings match as well, and stops at the first one without it', () => {
    assert.deepEqual(receivers({ severity: 'page' }), ['chatops', 'pager']);
    assert.deepEqual(receivers({ severity: 'critical' }), ['pager']);
  });

  it('a continue route that does not match does not count', () => {
    const r = buildRoute({ receiver: 'default', routes: [{ matchers: ['a="1"'], receiver: 'x', continue: true }, { matchers: ['b="1"'], receiver: 'y' }] });
    assert.deepEqual(matchRoutes(r, { b: '1' }).map((x) => x.receiver), ['y']);
    assert.deepEqual(matchRoutes(r, { a: '1' }).map((x) => x.receiver), ['x']);
    assert.deepEqual(matchRoutes(r, { a: '1', b: '1' }).map((x) => x.receiver), ['x', 'y']);
  });

  it('route ids are tree paths, stable across reloads of the same tree', () => {
    assert.deepEqual(matchRoutes(root, { team: 'db', system: 'orders-db' }).map((r) => r.id), ['0.0.1']);
    assert.deepEqual(matchRoutes(buildRoute(tree), { team: 'db', system: 'orders-db' }).map((r) => r.id), ['0.0.1']);
  });

  it('group keys: one group per route and group_by values; different routes never share a group', () => {
    const [chat, pager] = matchRoutes(root, { alertname: 'SystemDown', severity: 'page', system: 'a' });
    const k1 = groupKey(chat, { alertname: 'SystemDown', severity: 'page', system: 'a' });
    const k2 = groupKey(chat, { alertname: 'SystemDown', severity: 'page', system: 'b' });
    const k3 = groupKey(pager, { alertname: 'SystemDown', severity: 'page', system: 'a' });
    assert.equal(k1.key, k2.key, 'group_by [alertname]: system does not split the group');
    assert.notEqual(k1.key, k3.key);
    assert.deepEqual(k1.groupLabels, { alertname: 'SystemDown' });
    const all = buildRoute({ receiver: 'x', group_by: ['...'] });
    assert.notEqual(groupKey(all, { a: '1', b: '2' }).key, groupKey(all, { a: '1', b: '3' }).key, '"..." groups by every label');
    assert.deepEqual(groupKey(all, { b: '2', a: '1' }).groupLabels, { a: '1', b: '2' });
  });
});
