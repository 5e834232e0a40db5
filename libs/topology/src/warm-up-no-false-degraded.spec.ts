import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { TargetStatus } from '../../probes/src/target-state';
import type { TopologyEvent } from './events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const shape: SystemShape = { name: 'orders-db', kind: 'postgres', expect: { primaries: 1, minReplicas: 2 }, members: ['pg1', 'pg2', 'pg3'], hasEndpoint: false };

function feeder() {
  let t: SystemTopology = emptyTopology('orders-db', T0);
  return {
    get t() {
      return t;
    },
    see(member: string, offsetMs: number, obs: Observation, status: TargetStatus): TopologyEvent[] {
      const at = T0 + offsetMs;
      const r = observe(t, shape, { member, probeKind: 'postgres', intervalMs: 1000, result: { targetKey: member, scheduledAt: at, startedAt: at, durationMs: 3, ...obs }, status, firstFailureAt: obs.up ? undefined : at });
      t = r.next;
      return r.events;
    },
  };
}

const primary: Observation = { up: true, role: 'primary', epoch: 'timeline 1', peers: [] };
const replica: Observation = { up: true, role: 'replica', epoch: 'timeline 1', leader: '10.0.0.1:5432', lagSeconds: 0, lagBytes: 0 };
const refused: Observation = { up: false, reason: 'connection refused' };

describe('start-up, before every member was observed', () => {
  it('replicas seen first: no no_primary, no topology_degraded', () => {
    const f = feeder();
    assert.deepEqual(f.see('pg2', 0, replica, 'up'), []);
    assert.deepEqual(f.see('pg3', 300, replica, 'up'), []);
    assert.deepEqual(f.t.conditions, { splitBrain: false, noPrimary: false, degraded: false });
    assert.equal(isHealthy(f.t, shape), false); // pg1 not seen yet: not known to be healthy
    assert.deepEqual(f.see('pg1', 600, primary, 'up'), []);
    assert.equal(isHealthy(f.t, shape), true);
  });

  it('the primary seen first, alone: no topology_degraded for missing replicas', () => {
    const f = feeder();
    assert.deepEqual(f.see('pg1', 0, primary, 'up'), []);
    assert.deepEqual(f.see('pg2', 300, replica, 'up'), []);
    assert.equal(f.t.conditions.degraded, false);
    assert.deepEqual(f.see('pg3', 600, replica, 'up'), []);
  });

  it('a member whose first probe failed below the threshold (status unknown) still counts as not seen', () => {
    const f = feeder();
    assert.deepEqual(f.see('pg1', 0, primary, 'up'), []);
    assert.deepEqual(f.see('pg2', 300, replica, 'up'), []);
    assert.deepEqual(f.see('pg3', 600, refused, 'unknown'), []);
    assert.equal(f.t.conditions.degraded, false);
    assert.deepEqual(f.see('pg3', 1600, replica, 'up'), []);
  });

  it('once all were seen, a real shortfall is reported', () => {
    const f = feeder();
    f.see('pg1', 0, primary, 'up');
    f.see('pg2', 300, replica, 'up');
    const ev = f.see('pg3', 600, refused, 'down');
    assert.deepEqual(ev.map((e) => e.kind), ['member_down', 'topology_degraded']);
    assert.equal(ev[0].severity, 'warning');
    assert.deepEqual(ev[1].details, { healthy_replicas: 1, min_replicas: 2 });
  });

  it('the primary down at start-up, once all were seen, is no_primary', () => {
    const f = feeder();
    assert.deepEqual(f.see('pg2', 0, replica, 'up'), []);
    assert.deepEqual(f.see('pg3', 300, replica, 'up'), []);
    const ev = f.see('pg1', 600, refused, 'down');
    assert.deepEqual(ev.map((e) => e.kind), ['member_down', 'no_primary']);
    assert.deepEqual(ev[1].details, { lost: [] });
  });
});
