import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { TargetStatus } from '../../probes/src/target-state';
import type { TopologyEvent } from './events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const shape: SystemShape = { name: 'checkout', kind: 'http', expect: {}, members: [], hasEndpoint: true };

function feeder() {
  let t: SystemTopology = emptyTopology('checkout', T0);
  return {
    get t() {
      return t;
    },
    see(offsetMs: number, obs: Observation, status: TargetStatus, firstFailureAt?: number): TopologyEvent[] {
      const at = T0 + offsetMs;
      const r = observe(t, shape, { probeKind: 'http', intervalMs: 2000, result: { targetKey: 'checkout/@endpoint', scheduledAt: at, startedAt: at, durationMs: 12, ...obs }, status, firstFailureAt });
      t = r.next;
      return r.events;
    },
  };
}

const ok: Observation = { up: true, httpStatus: 200 };
const failing: Observation = { up: false, reason: 'status 503', httpStatus: 503 };

describe("the users' endpoint of a system", () => {
  it('up: no events, healthy', () => {
    const f = feeder();
    assert.deepEqual(f.see(0, ok, 'up'), []);
    assert.deepEqual(f.t.endpoint, { status: 'up', since: T0, intervalMs: 2000, firstFailureAt: undefined, reason: undefined });
    assert.equal(isHealthy(f.t, shape), true);
  });

  it('down after the failure threshold: service_down (critical, from the first failure); restored: service_restored', () => {
    const f = feeder();
    f.see(0, ok, 'up');
    assert.deepEqual(f.see(2000, failing, 'up'), []); // one failure, threshold 2
    assert.equal(isHealthy(f.t, shape), true);
    const down = f.see(4000, failing, 'down', T0 + 2000);
    assert.deepEqual(down.map((e) => e.kind), ['service_down']);
    assert.equal(down[0].member, undefined);
    assert.equal(down[0].severity, 'critical');
    assert.equal(down[0].bad, true);
    assert.equal(down[0].at, T0 + 4000);
    assert.equal(down[0].message, 'checkout: unreachable for users (status 503)');
    assert.deepEqual(down[0].details, { reason: 'status 503', first_failure_at: T0 + 2000 });
    assert.equal(isHealthy(f.t, shape), false);

    assert.deepEqual(f.see(6000, failing, 'down', T0 + 2000), []);
    const up = f.see(8000, ok, 'up');
    assert.deepEqual(up.map((e) => e.kind), ['service_restored']);
    assert.equal(up[0].bad, false);
    assert.equal(up[0].severity, 'info');
    assert.deepEqual(up[0].details, { down_since: T0 + 2000 });
    assert.deepEqual(f.t.endpoint, { status: 'up', since: T0 + 8000, intervalMs: 2000, firstFailureAt: undefined, reason: undefined });
    assert.equal(isHealthy(f.t, shape), true);
  });

  it('down at the very first observation: service_down at once', () => {
    const f = feeder();
    const ev = f.see(0, { up: false, reason: 'connection refused' }, 'down', T0);
    assert.deepEqual(ev.map((e) => [e.kind, e.details.first_failure_at]), [['service_down', T0]]);
    assert.equal(isHealthy(f.t, shape), false);
  });

  it('unknown (first probe failed, below the threshold) is neither an event nor healthy', () => {
    const f = feeder();
    assert.deepEqual(f.see(0, failing, 'unknown'), []);
    assert.equal(isHealthy(f.t, shape), false);
    assert.deepEqual(f.see(2000, ok, 'up'), []);
    assert.equal(isHealthy(f.t, shape), true);
  });
});
