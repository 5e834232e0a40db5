import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { TopologyEvent } from './events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const shape: SystemShape = { name: 'edge-lb', kind: 'haproxy', expect: {}, members: ['haproxy1'], hasEndpoint: false };

function feeder() {
  let t: SystemTopology = emptyTopology('edge-lb', T0);
  let clock = 0;
  return {
    get t() {
      return t;
    },
    /** One stats page: backend/server → state, as the haproxy driver reports its peers. */
    pool(states: Record<string, string>, probeKind = 'haproxy'): TopologyEvent[] {
      clock += 1000;
      const at = T0 + clock;
      const obs: Observation = { up: true, peers: Object.entries(states).map(([id, state]) => ({ id, state })) };
      const r = observe(t, shape, { member: 'haproxy1', probeKind, intervalMs: 1000, result: { targetKey: 'edge-lb/haproxy1', scheduledAt: at, startedAt: at, durationMs: 2, ...obs }, status: 'up' });
      t = r.next;
      return r.events;
    },
  };
}

describe('an HAProxy backend server leaving and rejoining the pool', () => {
  it('the first page only records the pool', () => {
    const f = feeder();
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/web2': 'DOWN' }), []);
    assert.deepEqual(f.t.members.haproxy1.pool, { 'app/web1': 'UP', 'app/web2': 'DOWN' });
    assert.equal(isHealthy(f.t, shape), false);
  });

  it('UP → DOWN is backend_removed; the system is unhealthy until it is UP again', () => {
    const f = feeder();
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/web2': 'UP' }), []);
    assert.equal(isHealthy(f.t, shape), true);

    const gone = f.pool({ 'app/web1': 'UP', 'app/web2': 'DOWN' });
    assert.deepEqual(gone.map((e) => e.kind), ['backend_removed']);
    assert.equal(gone[0].member, 'haproxy1');
    assert.equal(gone[0].severity, 'warning');
    assert.equal(gone[0].bad, true);
    assert.equal(gone[0].message, 'edge-lb: app/web2 left the pool (DOWN)');
    assert.deepEqual(gone[0].details, { backend: 'app/web2', state: 'DOWN', observed_by: 'haproxy1' });
    assert.equal(isHealthy(f.t, shape), false);

    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/web2': 'DOWN' }), []);
    assert.equal(isHealthy(f.t, shape), false);

    const back = f.pool({ 'app/web1': 'UP', 'app/web2': 'UP' });
    assert.deepEqual(back.map((e) => e.kind), ['backend_returned']);
    assert.equal(back[0].bad, false);
    assert.deepEqual(back[0].details, { backend: 'app/web2', state: 'UP', observed_by: 'haproxy1' });
    assert.equal(isHealthy(f.t, shape), true);
  });

  it('transitional states: "UP 1/3" still serves, "DOWN 1/2" does not yet', () => {
    const f = feeder();
    f.pool({ 'app/web1': 'UP', 'app/web2': 'UP' });
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/web2': 'UP 1/3' }), []);
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/web2': 'DOWN' }).map((e) => e.kind), ['backend_removed']);
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/web2': 'DOWN 1/2' }), []);
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/web2': 'UP' }).map((e) => e.kind), ['backend_returned']);
  });

  it('a server without health checks ("no check") serves: no removal, and the system is healthy', () => {
    const f = feeder();
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/static': 'no check' }), []);
    assert.equal(isHealthy(f.t, shape), true);
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/static': 'no check' }), []);
    assert.deepEqual(f.pool({ 'app/web1': 'UP', 'app/static': 'MAINT' }).map((e) => e.kind), ['backend_removed']);
  });

  it('two servers leaving at once are two events', () => {
    const f = feeder();
    f.pool({ 'app/web1': 'UP', 'app/web2': 'UP', 'api/a1': 'UP' });
    const ev = f.pool({ 'app/web1': 'MAINT', 'app/web2': 'UP', 'api/a1': 'DOWN' });
    assert.deepEqual(ev.map((e) => [e.kind, e.details.backend]), [['backend_removed', 'app/web1'], ['backend_removed', 'api/a1']]);
  });

  it('peers of other probe kinds are not a pool', () => {
    const f = feeder();
    f.pool({ 'app/web1': 'UP' }, 'tcp');
    assert.deepEqual(f.pool({ 'app/web1': 'DOWN' }, 'tcp'), []);
    assert.equal(f.t.members.haproxy1.pool, undefined);
  });
});
