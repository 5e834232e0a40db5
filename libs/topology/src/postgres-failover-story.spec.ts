import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { TargetStatus } from '../../probes/src/target-state';
import type { TopologyEvent } from './events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const shape: SystemShape = { name: 'orders-db', kind: 'postgres', expect: { primaries: 1, minReplicas: 1 }, members: ['pg1', 'pg2'], hasEndpoint: false };

/** Feeds observations in order, as the topology service does, and keeps what came out. */
class Story {
  t: SystemTopology = emptyTopology('orders-db', T0);
  all: TopologyEvent[] = [];
  see(member: string, offsetMs: number, obs: Observation, status: TargetStatus, firstFailureAt?: number): TopologyEvent[] {
    const at = T0 + offsetMs;
    const { next, events } = observe(this.t, shape, {
      member,
      probeKind: 'postgres',
      intervalMs: 1000,
      result: { targetKey: `orders-db/${member}`, scheduledAt: at, startedAt: at + 1, durationMs: 4, ...obs },
      status,
      firstFailureAt,
    });
    this.t = next;
    this.all.push(...events);
    return events;
  }
}

const primary = (lsn: string, timeline: number): Observation => ({ up: true, role: 'primary', epoch: `timeline ${timeline}`, peers: [], details: { current_lsn: lsn, timeline } });
const replica = (lsn: string, timeline: number, upstream: string, lagSeconds = 0.2, lagBytes = 256): Observation => ({
  up: true,
  role: 'replica',
  epoch: `timeline ${timeline}`,
  leader: upstream,
  lagSeconds,
  lagBytes,
  details: { receive_lsn: lsn, wal_receiver: 'streaming', timeline },
});
const refused: Observation = { up: false, reason: 'connection refused' };
const kinds = (events: TopologyEvent[]) => events.map((e) => e.kind);

describe('a PostgreSQL failover, observation by observation', () => {
  const s = new Story();

  it('a primary and a replica seen once each: no events, healthy', () => {
    assert.deepEqual(s.see('pg1', 0, primary('0/5000100', 1), 'up'), []);
    assert.deepEqual(s.see('pg2', 500, replica('0/5000000', 1, '10.0.0.1:5432'), 'up'), []);
    assert.deepEqual(s.t.primaries, ['pg1']);
    assert.equal(s.t.leader, 'pg1');
    assert.equal(isHealthy(s.t, shape), true);
  });

  it('a failed probe below the failure threshold changes nothing', () => {
    assert.deepEqual(s.see('pg1', 1000, refused, 'up'), []);
    assert.equal(isHealthy(s.t, shape), true);
  });

  it('pg1 down: member_down (critical, with its last position) then no_primary', () => {
    const ev = s.see('pg1', 2000, refused, 'down', T0 + 1000);
    assert.deepEqual(kinds(ev), ['member_down', 'no_primary']);
    const [down, none] = ev;
    assert.equal(down.member, 'pg1');
    assert.equal(down.severity, 'critical');
    assert.equal(down.bad, true);
    assert.equal(down.at, T0 + 2000);
    assert.equal(down.message, 'orders-db: primary pg1 unreachable (connection refused)');
    assert.deepEqual(down.details, {
      reason: 'connection refused',
      role: 'primary',
      first_failure_at: T0 + 1000,
      last_lag_seconds: undefined,
      last_lag_bytes: undefined,
      last_position: '0/5000100',
    });
    assert.equal(none.severity, 'critical');
    assert.equal(none.member, undefined);
    assert.deepEqual(none.details, { lost: ['pg1'] });
    assert.deepEqual(s.t.primaries, []);
    assert.equal(s.t.conditions.noPrimary, true);
    assert.equal(isHealthy(s.t, shape), false);
  });

  it('the replica keeps replicating (its view is kept for RPO): no events', () => {
    assert.deepEqual(s.see('pg2', 2500, replica('0/5000060', 1, '10.0.0.1:5432', 1.5, 160), 'up'), []);
  });

  it('pg2 promoted on timeline 2: role_changed, promoted, epoch_changed, leader_changed pg1 → pg2, primary_restored, topology_degraded', () => {
    const ev = s.see('pg2', 3500, primary('0/5000300', 2), 'up');
    assert.deepEqual(kinds(ev), ['role_changed', 'promoted', 'epoch_changed', 'leader_changed', 'primary_restored', 'topology_degraded']);
    const by = Object.fromEntries(ev.map((e) => [e.kind, e]));
    assert.deepEqual(by.role_changed.details, { from: 'replica', to: 'primary' });
    assert.deepEqual(by.promoted.details, {
      from: 'replica',
      to: 'primary',
      last_replica_view: { at: T0 + 2500, lagSeconds: 1.5, lagBytes: 160, position: '0/5000060' },
      epoch: 'timeline 2',
    });
    assert.deepEqual(by.epoch_changed.details, { from: 'timeline 1', to: 'timeline 2' });
    assert.equal(by.leader_changed.member, 'pg2');
    assert.equal(by.leader_changed.details.from, 'pg1');
    assert.equal(by.leader_changed.details.to, 'pg2');
    assert.equal(by.leader_changed.bad, true);
    assert.equal(by.primary_restored.bad, false);
    assert.deepEqual(by.primary_restored.details, { primaries: ['pg2'] });
    assert.deepEqual(by.topology_degraded.details, { healthy_replicas: 0, min_replicas: 1 });
    for (const e of ev) assert.equal(e.at, T0 + 3500);
    assert.equal(s.t.leader, 'pg2');
    assert.deepEqual(s.t.conditions, { splitBrain: false, noPrimary: false, degraded: true });
    assert.equal(isHealthy(s.t, shape), false);
  });

  it('pg1 still down: no repeated events', () => {
    assert.deepEqual(s.see('pg1', 4000, refused, 'down', T0 + 1000), []);
    assert.deepEqual(s.see('pg2', 4500, primary('0/5000400', 2), 'up'), []);
  });

  it('pg1 back as a replica of pg2: member_up, rejoined, topology_restored — not demoted, no epoch_changed', () => {
    const ev = s.see('pg1', 6000, replica('0/5000400', 2, '10.0.0.2:5432', 0, 0), 'up');
    assert.deepEqual(kinds(ev), ['member_up', 'rejoined', 'topology_restored']);
    const [up, rejoined, restored] = ev;
    assert.deepEqual(up.details, { role: 'replica', down_since: T0 + 1000 });
    assert.equal(rejoined.member, 'pg1');
    assert.equal(rejoined.bad, false);
    assert.deepEqual(rejoined.details, { role: 'replica', leader: '10.0.0.2:5432', was: 'primary' });
    assert.equal(rejoined.message, 'orders-db: old primary pg1 rejoined as replica of 10.0.0.2:5432');
    assert.deepEqual(restored.details, { healthy_replicas: 1 });
    assert.equal(s.t.members.pg1.role, 'replica');
    assert.equal(s.t.members.pg1.roleBeforeDown, undefined);
    assert.equal(s.t.members.pg1.epoch, 'timeline 2');
    assert.equal(isHealthy(s.t, shape), true);
  });

  it('steady state afterwards: nothing more', () => {
    assert.deepEqual(s.see('pg2', 6500, primary('0/5000500', 2), 'up'), []);
    assert.deepEqual(s.see('pg1', 7000, replica('0/5000500', 2, '10.0.0.2:5432', 0, 0), 'up'), []);
  });

  it('the whole story, in order, with who each event is about', () => {
    assert.deepEqual(
      s.all.map((e) => [e.at - T0, e.kind, e.member ?? null, e.bad]),
      [
        [2000, 'member_down', 'pg1', true],
        [2000, 'no_primary', null, true],
        [3500, 'role_changed', 'pg2', true],
        [3500, 'promoted', 'pg2', true],
        [3500, 'epoch_changed', 'pg2', true],
        [3500, 'leader_changed', 'pg2', true],
        [3500, 'primary_restored', null, false],
        [3500, 'topology_degraded', null, true],
        [6000, 'member_up', 'pg1', false],
        [6000, 'rejoined', 'pg1', false],
        [6000, 'topology_restored', null, false],
      ],
    );
  });
});

describe('a replica stepping down without having been down', () => {
  it('is demoted, not rejoined', () => {
    const s = new Story();
    s.see('pg1', 0, primary('0/1', 1), 'up');
    s.see('pg2', 500, replica('0/1', 1, '10.0.0.1:5432'), 'up');
    const ev = s.see('pg1', 1000, replica('0/1', 1, '10.0.0.2:5432'), 'up');
    assert.deepEqual(kinds(ev), ['role_changed', 'demoted', 'no_primary']);
    assert.deepEqual(ev[1].details, { from: 'primary', to: 'replica' });
  });
});
