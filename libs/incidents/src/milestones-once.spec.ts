import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toTopologyEvent } from '../../../apps/nines/src/topology/topology.service';
import type { TopologyEvent } from '../../topology/src/events';
import { emptyTopology, observe, type SystemShape, type SystemTopology } from '../../topology/src/topology';
import { entriesFor, type IncidentSoFar, type TimelineEntry } from './timeline';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
// A Sentinel-managed Redis: one member that polls the sentinels and names the master.
const shape: SystemShape = { name: 'cache', kind: 'redis-sentinel', expect: {}, members: ['sentinels'], hasEndpoint: false };

function story() {
  let t: SystemTopology = emptyTopology('cache', T0);
  const inc: IncidentSoFar = { milestones: new Set(), hasEndpoint: () => false, rootSystem: 'cache' };
  const timeline: TimelineEntry[] = [];
  let opened = false;
  const add = (e: TopologyEvent) => {
    const out = entriesFor(e, inc, { opening: !opened, joinedAs: 'cause' });
    opened = true;
    timeline.push(...out);
    return out;
  };
  return {
    timeline,
    inc,
    add,
    push: (offsetMs: number, kind: string, message: string, details: Record<string, unknown> = {}) => add(toTopologyEvent('cache', undefined, { at: T0 + offsetMs, kind, message, details })),
    poll(offsetMs: number, master: string) {
      const at = T0 + offsetMs;
      const r = observe(t, shape, { member: 'sentinels', probeKind: 'redis-sentinel', intervalMs: 1000, result: { targetKey: 'cache/sentinels', scheduledAt: at, startedAt: at, durationMs: 2, up: true, leader: master }, status: 'up' });
      t = r.next;
      return r.events.flatMap(add);
    },
  };
}

describe('Sentinel announces the new master, then the poll confirms it', () => {
  it('one new_primary_elected, from the first to tell', () => {
    const s = story();
    assert.deepEqual(s.poll(0, '10.0.0.1:6379'), []);
    s.push(3000, '+odown', '+odown master cache 10.0.0.1:6379 #quorum 2/2');
    s.push(3100, '+try-failover', '+try-failover master cache 10.0.0.1:6379');
    const sw = s.push(4200, '+switch-master', '+switch-master cache 10.0.0.1 6379 → 10.0.0.2 6379', { master_name: 'cache', old_master: '10.0.0.1:6379', new_master: '10.0.0.2:6379' });
    assert.deepEqual(sw.map((x) => x.kind), ['switch_master', 'new_primary_elected']);
    assert.deepEqual(sw[1].details, { to: '10.0.0.2:6379', from: undefined, source: 'switch_master' });
    assert.equal(sw[1].at, T0 + 4200);

    const confirmed = s.poll(4500, '10.0.0.2:6379');
    assert.deepEqual(confirmed.map((x) => x.kind), ['leader_changed']);
    assert.equal(s.timeline.filter((x) => x.kind === 'new_primary_elected').length, 1);

    assert.deepEqual(
      s.timeline.map((x) => [x.kind, x.at - T0]),
      [
        ['first_failure_observed', 3000],
        ['detected', 3000],
        ['external', 3000],
        ['failover_started', 3000],
        ['external', 3100],
        ['switch_master', 4200],
        ['new_primary_elected', 4200],
        ['leader_changed', 4500],
      ],
    );
  });

  it('the same holds after a restart, with the milestones read back from the stored timeline', () => {
    const s = story();
    s.poll(0, '10.0.0.1:6379');
    // As IncidentRepository rebuilds them from incident_timeline rows (kind, details->>'to').
    s.inc.milestones = new Set(['first_failure_observed', 'detected', 'failover_started', 'new_primary_elected', 'new_primary_elected:10.0.0.2:6379']);
    s.push(3000, '+odown', '+odown'); // marks the incident as opened for the helper
    assert.deepEqual(s.poll(4500, '10.0.0.2:6379').map((x) => x.kind), ['leader_changed']);
  });

  it('a later failover to yet another master is a second new_primary_elected', () => {
    const s = story();
    s.poll(0, '10.0.0.1:6379');
    s.push(3000, '+odown', '+odown');
    s.push(4200, '+switch-master', 'sw', { new_master: '10.0.0.2:6379' });
    s.poll(4500, '10.0.0.2:6379');
    const second = s.poll(9000, '10.0.0.3:6379');
    assert.deepEqual(second.map((x) => x.kind), ['leader_changed', 'new_primary_elected']);
    assert.equal(second[1].details.to, '10.0.0.3:6379');
    assert.equal(s.timeline.filter((x) => x.kind === 'new_primary_elected').length, 2);
  });
});

describe('other milestones appear once', () => {
  const e = (kind: TopologyEvent['kind'], at: number, details: Record<string, unknown> = {}, bad = true): TopologyEvent => ({ kind, system: 'orders-db', member: 'pg1', at: T0 + at, severity: 'major', bad, message: kind, details });

  it('failover_started, service_restored and old_primary_rejoined', () => {
    const inc: IncidentSoFar = { milestones: new Set(), hasEndpoint: () => false, rootSystem: 'orders-db' };
    const all = [
      ...entriesFor(e('member_down', 2000, { role: 'primary', first_failure_at: T0 + 1000 }), inc, { opening: true, joinedAs: 'cause' }),
      ...entriesFor(e('no_primary', 2000), inc, { opening: false, joinedAs: 'cause' }),
      ...entriesFor(e('primary_restored', 4000, {}, false), inc, { opening: false, joinedAs: 'cause' }),
      ...entriesFor(e('no_primary', 5000), inc, { opening: false, joinedAs: 'cause' }),
      ...entriesFor(e('primary_restored', 6000, {}, false), inc, { opening: false, joinedAs: 'cause' }),
      ...entriesFor(e('rejoined', 7000, { role: 'replica', leader: '10.0.0.2:5432' }, false), inc, { opening: false, joinedAs: 'cause' }),
      ...entriesFor(e('rejoined', 8000, { role: 'replica' }, false), inc, { opening: false, joinedAs: 'cause' }),
    ];
    const milestones = all.filter((x) => ['first_failure_observed', 'detected', 'failover_started', 'service_restored', 'old_primary_rejoined'].includes(x.kind));
    assert.deepEqual(
      milestones.map((x) => [x.kind, x.at - T0]),
      [
        ['first_failure_observed', 1000],
        ['detected', 2000],
        ['failover_started', 1000],
        ['service_restored', 4000],
        ['old_primary_rejoined', 7000],
      ],
    );
    assert.deepEqual(milestones[4].details, { role: 'replica', leader: '10.0.0.2:5432' });
  });

  it('with an endpoint, primary_restored is not service_restored: the endpoint answering is', () => {
    const inc: IncidentSoFar = { milestones: new Set(), hasEndpoint: () => true, rootSystem: 'orders-db' };
    assert.deepEqual(entriesFor(e('primary_restored', 4000, {}, false), inc, { opening: false, joinedAs: 'cause' }).map((x) => x.kind), ['primary_restored']);
    assert.deepEqual(entriesFor(e('service_restored', 4500, {}, false), inc, { opening: false, joinedAs: 'cause' }).map((x) => x.kind), ['service_restored', 'service_restored']);
  });
});
