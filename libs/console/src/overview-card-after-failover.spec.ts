import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SystemTopology } from '../../topology/src/topology';
import { byLayer, systemCard } from './overview';

const def = { name: 'orders-db', layer: 'storage', kind: 'postgres', expect: { primaries: 1, minReplicas: 1 }, members: [{ name: 'pg1', key: 'orders-db/pg1' }, { name: 'pg2', key: 'orders-db/pg2' }] };
const base = (over: Partial<SystemTopology>): SystemTopology => ({
  system: 'orders-db',
  members: {},
  primaries: [],
  conditions: { splitBrain: false, noPrimary: false, degraded: false },
  updatedAt: Date.parse('2026-03-01T03:12:07Z'),
  ...over,
});

describe('overview card of a PostgreSQL pair', () => {
  it('healthy: pg1 primary, pg2 replica with its lag', () => {
    const t = base({
      primaries: ['pg1'],
      members: {
        pg1: { status: 'up', role: 'primary', lastSeenAt: 0, intervalMs: 1000 },
        pg2: { status: 'up', role: 'replica', lagSeconds: 0.4, lagBytes: 1024, lastSeenAt: 0, intervalMs: 1000 },
      },
    });
    const c = systemCard(def, t, []);
    assert.equal(c.health, 'up');
    assert.equal(c.primary, 'pg1');
    assert.deepEqual(c.members.map((m) => [m.name, m.status, m.role, m.lag_seconds]), [['pg1', 'up', 'primary', undefined], ['pg2', 'up', 'replica', 0.4]]);
    assert.deepEqual(c.problems, []);
  });

  it('after the failover: pg2 primary, pg1 down (last seen as primary), degraded, in its incident', () => {
    const t = base({
      primaries: ['pg2'],
      conditions: { splitBrain: false, noPrimary: false, degraded: true },
      members: {
        pg1: { status: 'down', roleBeforeDown: 'primary', lastSeenAt: 0, intervalMs: 1000 },
        pg2: { status: 'up', role: 'primary', lastSeenAt: 0, intervalMs: 1000 },
      },
    });
    const open = [{ id: 7, title: 'orders-db: failover', severity: 'major', systems: ['orders-db'], acknowledged_at: null, drill: false, opened_at: '2026-03-01T03:12:00Z' }];
    const c = systemCard(def, t, open);
    assert.equal(c.health, 'degraded');
    assert.equal(c.primary, 'pg2');
    assert.equal(c.members[0].role, 'primary', 'a down member shows the role it had');
    assert.deepEqual(c.problems, ['pg1 down', 'fewer healthy replicas than expected']);
    assert.deepEqual(c.incident, { id: 7, title: 'orders-db: failover', severity: 'major', acknowledged: false, drill: false, opened_at: '2026-03-01T03:12:00Z' });
  });

  it('no primary is down; never observed is unknown', () => {
    const t = base({ conditions: { splitBrain: false, noPrimary: true, degraded: true }, members: { pg1: { status: 'down', lastSeenAt: 0, intervalMs: 1000 }, pg2: { status: 'up', role: 'replica', lastSeenAt: 0, intervalMs: 1000 } } });
    assert.equal(systemCard(def, t, []).health, 'down');
    assert.equal(systemCard(def, t, [])!.problems[0], 'no primary');
    assert.equal(systemCard(def, undefined, []).health, 'unknown');
  });

  it('a VIP system names its holder; systems sort by layer from access down to network', () => {
    const vip = systemCard({ ...def, name: 'vip', layer: 'access', kind: 'vip', members: [] }, base({ leader: 'lb2', endpoint: { status: 'up', since: 0, intervalMs: 1000 } }), []);
    assert.equal(vip.vip_holder, 'lb2');
    const sorted = byLayer([{ name: 'b', layer: 'storage' }, { name: 'z', layer: 'access' }, { name: 'a', layer: 'storage' }, { name: 'q', layer: 'queue' }, { name: 'x', layer: 'odd' }]);
    assert.deepEqual(sorted.map((s) => s.name), ['z', 'q', 'a', 'b', 'x']);
  });
});
