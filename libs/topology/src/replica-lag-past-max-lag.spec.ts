import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { TopologyEvent } from './events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
// expect: { max_lag: 5s, max_lag_bytes: 1000000 }
const shape: SystemShape = { name: 'orders-db', kind: 'postgres', expect: { maxLagMs: 5000, maxLagBytes: 1_000_000 }, members: ['pg1', 'pg2'], hasEndpoint: false };

function feeder() {
  let t: SystemTopology = emptyTopology('orders-db', T0);
  let clock = 0;
  const see = (member: string, obs: Observation): TopologyEvent[] => {
    clock += 500;
    const at = T0 + clock;
    const r = observe(t, shape, { member, probeKind: 'postgres', intervalMs: 1000, result: { targetKey: member, scheduledAt: at, startedAt: at, durationMs: 3, ...obs }, status: 'up' });
    t = r.next;
    return r.events;
  };
  see('pg1', { up: true, role: 'primary', epoch: 'timeline 1' });
  return {
    get t() {
      return t;
    },
    lag: (lagSeconds: number | undefined, lagBytes: number | undefined) => see('pg2', { up: true, role: 'replica', epoch: 'timeline 1', leader: '10.0.0.1:5432', lagSeconds, lagBytes }),
  };
}

describe('replication lag against expect.max_lag and max_lag_bytes', () => {
  it('within both limits (and exactly at them): nothing', () => {
    const f = feeder();
    assert.deepEqual(f.lag(1, 1000), []);
    assert.deepEqual(f.lag(5, 1_000_000), []);
    assert.equal(isHealthy(f.t, shape), true);
  });

  it('past max_lag: replication_lagging once, then caught_up', () => {
    const f = feeder();
    f.lag(0.5, 1000);
    const ev = f.lag(7.5, 1000);
    assert.deepEqual(ev.map((e) => e.kind), ['replication_lagging']);
    assert.equal(ev[0].member, 'pg2');
    assert.equal(ev[0].severity, 'warning');
    assert.equal(ev[0].bad, true);
    assert.equal(ev[0].message, 'orders-db: pg2 lags 7.5s 1000 bytes behind');
    assert.deepEqual(ev[0].details, { lag_seconds: 7.5, lag_bytes: 1000, max_lag_ms: 5000, max_lag_bytes: 1_000_000 });
    assert.equal(f.t.members.pg2.lagging, true);
    assert.equal(isHealthy(f.t, shape), false);

    assert.deepEqual(f.lag(9, 1000), []);
    const back = f.lag(0.2, 0);
    assert.deepEqual(back.map((e) => e.kind), ['replication_caught_up']);
    assert.equal(back[0].bad, false);
    assert.equal(back[0].severity, 'info');
    assert.deepEqual(back[0].details, { lag_seconds: 0.2, lag_bytes: 0 });
    assert.equal(isHealthy(f.t, shape), true);
  });

  it('past max_lag_bytes alone lags too, and stays lagging while either limit is exceeded', () => {
    const f = feeder();
    const ev = f.lag(0.1, 2_000_000);
    assert.deepEqual(ev.map((e) => e.kind), ['replication_lagging']);
    assert.deepEqual(ev[0].details, { lag_seconds: 0.1, lag_bytes: 2_000_000, max_lag_ms: 5000, max_lag_bytes: 1_000_000 });
    assert.deepEqual(f.lag(6, 10), []); // now the seconds are past the limit
    assert.deepEqual(f.lag(4.9, 999_999).map((e) => e.kind), ['replication_caught_up']);
  });

  it('a replica whose lag is unknown is not lagging', () => {
    const f = feeder();
    assert.deepEqual(f.lag(undefined, undefined), []);
    assert.equal(f.t.members.pg2.lagging, false);
  });

  it('a lagging replica promoted to primary is caught up (no longer replicates)', () => {
    const f = feeder();
    f.lag(30, 0);
    const at = T0 + 60_000;
    const r = observe(f.t, shape, { member: 'pg2', probeKind: 'postgres', intervalMs: 1000, result: { targetKey: 'pg2', scheduledAt: at, startedAt: at, durationMs: 3, up: true, role: 'primary', epoch: 'timeline 2' }, status: 'up' });
    assert.ok(r.events.some((e) => e.kind === 'replication_caught_up' && e.message === 'orders-db: pg2 no longer replicates (now primary)'));
    assert.equal(r.next.members.pg2.lagging, false);
  });
});
