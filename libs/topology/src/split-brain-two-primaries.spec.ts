import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { TopologyEvent } from './events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

function story(expect: SystemShape['expect']) {
  const shape: SystemShape = { name: 'orders-db', kind: 'postgres', expect, members: ['pg1', 'pg2'], hasEndpoint: false };
  let t: SystemTopology = emptyTopology('orders-db', T0);
  return {
    shape,
    get t() {
      return t;
    },
    see(member: string, offsetMs: number, obs: Observation): TopologyEvent[] {
      const at = T0 + offsetMs;
      const r = observe(t, shape, { member, probeKind: 'postgres', intervalMs: 1000, result: { targetKey: member, scheduledAt: at, startedAt: at, durationMs: 3, ...obs }, status: 'up' });
      t = r.next;
      return r.events;
    },
  };
}

const primary = (timeline: number): Observation => ({ up: true, role: 'primary', epoch: `timeline ${timeline}`, peers: [] });
const replica = (timeline: number, upstream: string): Observation => ({ up: true, role: 'replica', epoch: `timeline ${timeline}`, leader: upstream, lagSeconds: 0, lagBytes: 0 });
const kinds = (events: TopologyEvent[]) => events.map((e) => e.kind);

/** pg1 primary, pg2 replica, then pg2 is promoted while pg1 still acts as primary. */
function splitBrain(expect: SystemShape['expect']) {
  const s = story(expect);
  s.see('pg1', 0, primary(1));
  s.see('pg2', 500, replica(1, '10.0.0.1:5432'));
  const events = s.see('pg2', 1500, primary(2));
  return { s, events };
}

describe('two members acting as primary', () => {
  it('is a critical split_brain, after pg2 reports its promotion', () => {
    const { s, events } = splitBrain({ primaries: 1 });
    assert.deepEqual(kinds(events), ['role_changed', 'promoted', 'epoch_changed', 'split_brain']);
    const split = events[3];
    assert.equal(split.severity, 'critical');
    assert.equal(split.bad, true);
    assert.equal(split.member, undefined);
    assert.deepEqual(split.details, { primaries: ['pg1', 'pg2'], expected: 1 });
    assert.equal(split.message, 'orders-db: SPLIT BRAIN — 2 members act as primary (pg1, pg2), expected 1');
    assert.deepEqual(s.t.primaries, ['pg1', 'pg2']);
    assert.equal(s.t.conditions.splitBrain, true);
    assert.equal(isHealthy(s.t, s.shape), false);
  });

  it('without expect.primaries, one primary is expected once any member was primary', () => {
    const { events } = splitBrain({});
    assert.deepEqual(events.at(-1)?.details, { primaries: ['pg1', 'pg2'], expected: 1 });
  });

  it('a system that expects two primaries is not split with two', () => {
    const { s, events } = splitBrain({ primaries: 2 });
    assert.deepEqual(kinds(events), ['role_changed', 'promoted', 'epoch_changed']);
    assert.equal(isHealthy(s.t, s.shape), true);
  });

  it('is reported once while it lasts', () => {
    const { s } = splitBrain({ primaries: 1 });
    assert.deepEqual(s.see('pg1', 2000, primary(1)), []);
    assert.deepEqual(s.see('pg2', 2500, primary(2)), []);
  });

  it('the old primary stepping down resolves it, and pg2 is the new leader', () => {
    const { s } = splitBrain({ primaries: 1 });
    const events = s.see('pg1', 3000, replica(2, '10.0.0.2:5432'));
    assert.deepEqual(kinds(events), ['role_changed', 'demoted', 'epoch_changed', 'leader_changed', 'split_brain_resolved']);
    assert.deepEqual(events[1].details, { from: 'primary', to: 'replica' });
    assert.equal(events[3].member, 'pg2');
    assert.equal(events[3].details.from, 'pg1');
    assert.equal(events[3].details.to, 'pg2');
    assert.deepEqual(events[4].details, { primaries: ['pg2'] });
    assert.equal(events[4].bad, false);
    assert.equal(s.t.leader, 'pg2');
    assert.equal(s.t.conditions.splitBrain, false);
    assert.equal(isHealthy(s.t, s.shape), true);
  });

  it('the new primary stepping back resolves it with pg1 still the leader: no leader change', () => {
    const { s } = splitBrain({ primaries: 1 });
    const events = s.see('pg2', 3000, replica(2, '10.0.0.1:5432'));
    assert.deepEqual(kinds(events), ['role_changed', 'demoted', 'split_brain_resolved']);
    assert.deepEqual(events[2].details, { primaries: ['pg1'] });
    assert.equal(s.t.leader, 'pg1');
    assert.equal(isHealthy(s.t, s.shape), true);
  });

  it('one side going down also ends the split', () => {
    const { s } = splitBrain({ primaries: 1 });
    const at = T0 + 3000;
    const r = observe(s.t, s.shape, { member: 'pg1', probeKind: 'postgres', intervalMs: 1000, result: { targetKey: 'pg1', scheduledAt: at, startedAt: at, durationMs: 3, up: false, reason: 'timeout after 1s' }, status: 'down', firstFailureAt: at });
    assert.deepEqual(kinds(r.events), ['member_down', 'leader_changed', 'split_brain_resolved']);
    assert.equal(r.events[0].severity, 'critical');
  });
});
