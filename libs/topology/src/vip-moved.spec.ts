import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { TargetStatus } from '../../probes/src/target-state';
import { FAILOVER_KINDS, type TopologyEvent } from './events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

function feeder(kind: string) {
  const shape: SystemShape = { name: 'front', kind, expect: {}, members: ['vip'], hasEndpoint: false };
  let t: SystemTopology = emptyTopology('front', T0);
  let clock = 0;
  return {
    shape,
    get t() {
      return t;
    },
    see(obs: Observation, status: TargetStatus = obs.up ? 'up' : 'down'): TopologyEvent[] {
      clock += 1000;
      const at = T0 + clock;
      const r = observe(t, shape, { member: 'vip', probeKind: 'vip', intervalMs: 1000, result: { targetKey: 'front/vip', scheduledAt: at, startedAt: at, durationMs: 2, ...obs }, status, firstFailureAt: obs.up ? undefined : at });
      t = r.next;
      return r.events;
    },
  };
}

const heldBy = (holder: string): Observation => ({ up: true, leader: holder, details: { holder } });

describe('the node answering on a VIP changes', () => {
  for (const kind of ['keepalived', 'vip']) {
    it(`kind ${kind}: vip_moved from the old holder to the new one, counted as a failover`, () => {
      const f = feeder(kind);
      assert.deepEqual(f.see(heldBy('lb1')), []);
      assert.deepEqual(f.see(heldBy('lb1')), []);
      const ev = f.see(heldBy('lb2'));
      assert.deepEqual(ev.map((e) => e.kind), ['vip_moved']);
      assert.equal(ev[0].member, 'vip');
      assert.equal(ev[0].severity, 'major');
      assert.equal(ev[0].bad, true);
      assert.equal(ev[0].message, 'front: VIP moved lb1 → lb2');
      assert.deepEqual(ev[0].details, { from: 'lb1', to: 'lb2', observed_by: 'vip' });
      assert.equal(FAILOVER_KINDS.has('vip_moved'), true);
      assert.equal(isHealthy(f.t, f.shape), true);
    });
  }

  it('the VIP unreachable for a while and back on the other node: member_down, member_up, vip_moved', () => {
    const f = feeder('keepalived');
    f.see(heldBy('lb1'));
    assert.deepEqual(f.see({ up: false, reason: 'timeout after 1s' }).map((e) => e.kind), ['member_down']);
    assert.deepEqual(f.see(heldBy('lb2')).map((e) => e.kind), ['member_up', 'vip_moved']);
  });

  it('another single-observer kind (Sentinel) names the change leader_changed', () => {
    const f = feeder('redis-sentinel');
    f.see(heldBy('10.0.0.1:6379'));
    const ev = f.see(heldBy('10.0.0.2:6379'));
    assert.deepEqual(ev.map((e) => e.kind), ['leader_changed']);
    assert.equal(ev[0].message, 'front: leader changed 10.0.0.1:6379 → 10.0.0.2:6379');
  });
});
