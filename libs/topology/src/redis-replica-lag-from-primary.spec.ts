import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation, PeerSeen } from '../../probes/src/observation';
import type { TopologyEvent } from './events';
import { emptyTopology, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const shape: SystemShape = {
  name: 'cache',
  kind: 'redis',
  expect: { maxLagMs: 2000, maxLagBytes: 10_000 },
  members: ['r1', 'r2'],
  hasEndpoint: false,
  addresses: { r1: '10.0.0.1:6379', r2: '10.0.0.2:6379' },
};

function feeder() {
  let t: SystemTopology = emptyTopology('cache', T0);
  const see = (member: string, offsetMs: number, obs: Observation): TopologyEvent[] => {
    const at = T0 + offsetMs;
    const r = observe(t, shape, { member, probeKind: 'redis', intervalMs: 1000, result: { targetKey: `cache/${member}`, scheduledAt: at, startedAt: at, durationMs: 1, ...obs }, status: 'up' });
    t = r.next;
    return r.events;
  };
  return {
    get t() {
      return t;
    },
    /** The master's INFO: its replicas as ip:port with offset lag in bytes and ACK age in seconds. */
    master: (offsetMs: number, peers: PeerSeen[]) => see('r1', offsetMs, { up: true, role: 'primary', peers, details: { repl_offset: 100_000 } }),
    /** A replica's INFO says nothing about its own lag. */
    replica: (offsetMs: number, own: Partial<Observation> = {}) => see('r2', offsetMs, { up: true, role: 'replica', leader: '10.0.0.1:6379', details: { master_link_status: 'up' }, ...own }),
  };
}

const r2 = (lagBytes: number, lagSeconds: number): PeerSeen => ({ id: '10.0.0.2:6379', role: 'replica', state: 'online', lagBytes, lagSeconds });

describe("a Redis replica's lag as its master reports it", () => {
  it('is taken from the peer whose address is the replica member, not from other peers', () => {
    const f = feeder();
    assert.deepEqual(f.master(0, [{ id: '10.0.0.9:6379', role: 'replica', lagBytes: 999_999, lagSeconds: 60 }, r2(120, 0)]), []);
    assert.equal('r2' in f.t.members, false); // noted only for members already seen
    assert.deepEqual(f.replica(500), []);
    assert.equal(f.t.members.r2.lagBytes, undefined);
    assert.deepEqual(f.master(1000, [{ id: '10.0.0.9:6379', role: 'replica', lagBytes: 999_999, lagSeconds: 60 }, r2(120, 0)]), []);
    assert.deepEqual(f.replica(1500), []);
    assert.equal(f.t.members.r2.lagBytes, 120);
    assert.equal(f.t.members.r2.lagSeconds, 0);
  });

  it('past max_lag_bytes: replication_lagging on the replica, caught_up when the master reports it caught up', () => {
    const f = feeder();
    f.master(0, [r2(0, 0)]);
    f.replica(500);
    f.master(1000, [r2(50_000, 1)]);
    const ev = f.replica(1500);
    assert.deepEqual(ev.map((e) => e.kind), ['replication_lagging']);
    assert.equal(ev[0].member, 'r2');
    assert.deepEqual(ev[0].details, { lag_seconds: 1, lag_bytes: 50_000, max_lag_ms: 2000, max_lag_bytes: 10_000 });
    assert.equal(ev[0].message, 'cache: r2 lags 1.0s 50000 bytes behind');
    f.master(2000, [r2(0, 0)]);
    const back = f.replica(2500);
    assert.deepEqual(back.map((e) => e.kind), ['replication_caught_up']);
    assert.deepEqual(back[0].details, { lag_seconds: 0, lag_bytes: 0 });
  });

  it('past max_lag by the ACK age alone', () => {
    const f = feeder();
    f.master(0, [r2(0, 0)]);
    f.replica(500);
    f.master(1000, [r2(0, 3)]);
    assert.deepEqual(f.replica(1500).map((e) => e.kind), ['replication_lagging']);
  });

  it("the replica's own figures win over the master's", () => {
    const f = feeder();
    f.master(0, [r2(50_000, 1)]);
    f.replica(500);
    f.master(1000, [r2(50_000, 1)]);
    assert.deepEqual(f.replica(1500, { lagBytes: 10, lagSeconds: 0 }), []);
    assert.equal(f.t.members.r2.lagBytes, 10);
  });

  it('a master report up to three intervals old is used; an older one is not', () => {
    const f = feeder();
    f.master(0, [r2(0, 0)]);
    f.replica(500);
    f.master(1000, [r2(50_000, 1)]);
    assert.deepEqual(f.replica(4000).map((e) => e.kind), ['replication_lagging']); // 3000 ms after the report
    f.replica(4100); // 3100 ms after: stale, the lag is unknown
    assert.equal(f.t.members.r2.lagBytes, undefined);
    assert.equal(f.t.members.r2.lagSeconds, undefined);
  });
});
