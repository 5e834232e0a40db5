import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology, observe, type SystemShape } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const shape: SystemShape = { name: 'zk', kind: 'zookeeper', expect: { primaries: 1 }, members: ['zk1', 'zk2'], hasEndpoint: false };

describe('topology time with results arriving out of order', () => {
  it('a slow probe scheduled earlier and folded last does not move the topology back in time', () => {
    let t = emptyTopology('zk', T0);
    const fold = (member: string, at: number, role: 'leader' | 'follower') => {
      t = observe(t, shape, { member, probeKind: 'zookeeper', intervalMs: 1000, status: 'up', result: { targetKey: `zk/${member}`, scheduledAt: at, startedAt: at, durationMs: 5, up: true, role } }).next;
    };
    fold('zk1', T0 + 1000, 'leader');
    fold('zk2', T0 + 5000, 'follower'); // fast probe, scheduled later
    assert.equal(t.updatedAt, T0 + 5000);
    fold('zk1', T0 + 3000, 'leader'); // slow probe, scheduled earlier, folded last
    assert.equal(t.updatedAt, T0 + 5000, 'an incident resolved by this fold must not be dated before what the timeline already holds');
  });
});
