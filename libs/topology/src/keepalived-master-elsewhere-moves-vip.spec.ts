import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldKeepalivedNotify, type KeepalivedNotify } from './ingest-rules';
import { emptyTopology, type SystemTopology } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const notify = (node: string, state: KeepalivedNotify['state'], at = T0): KeepalivedNotify => ({ system: 'edge-vip', node, instance: 'VI_1', state, priority: 100, at });
const heldBy = (leader: string | undefined): SystemTopology => ({ ...emptyTopology('edge-vip', T0 - 60_000), leader });

describe('keepalived notify folded into the topology of its system', () => {
  it('MASTER on another node than the leader: vip_moved from the old holder, the new one leads', () => {
    const prev = heldBy('lb1');
    const { next, events } = foldKeepalivedNotify(prev, notify('lb2', 'MASTER'));
    assert.deepEqual(events.map((e) => [e.kind, e.member, e.severity, e.bad]), [['vip_moved', 'lb2', 'major', true]]);
    assert.equal(events[0].message, 'edge-vip: VIP VI_1 moved lb1 → lb2 (keepalived MASTER)');
    assert.deepEqual(events[0].details, { instance: 'VI_1', state: 'MASTER', priority: 100, node: 'lb2', source_kind: 'keepalived', from: 'lb1', to: 'lb2' });
    assert.equal(next.leader, 'lb2');
    assert.equal(prev.leader, 'lb1', 'the previous topology is left as it was');
  });

  it('the first MASTER (no leader known yet) is news, not a move', () => {
    const { next, events } = foldKeepalivedNotify(heldBy(undefined), notify('lb1', 'MASTER'));
    assert.deepEqual(events.map((e) => [e.kind, e.bad, e.message]), [['external', false, 'edge-vip: keepalived on lb1 is MASTER for VI_1']]);
    assert.equal(next.leader, 'lb1');
  });

  it('MASTER again on the leader moves nothing', () => {
    assert.deepEqual(foldKeepalivedNotify(heldBy('lb1'), notify('lb1', 'MASTER')).events.map((e) => [e.kind, e.bad]), [['external', false]]);
  });

  it('the leader dropping to BACKUP is bad; a backup saying BACKUP is not', () => {
    assert.deepEqual(foldKeepalivedNotify(heldBy('lb1'), notify('lb1', 'BACKUP')).events.map((e) => [e.kind, e.severity, e.bad]), [['external', 'info', true]]);
    assert.deepEqual(foldKeepalivedNotify(heldBy('lb1'), notify('lb2', 'BACKUP')).events.map((e) => [e.kind, e.severity, e.bad]), [['external', 'info', false]]);
  });

  it('FAULT is an external problem until that node reports another state', () => {
    const fault = foldKeepalivedNotify(heldBy('lb1'), notify('lb2', 'FAULT'));
    assert.deepEqual(fault.events.map((e) => [e.kind, e.severity, e.bad]), [['external', 'major', true]]);
    assert.deepEqual(fault.next.external, { 'keepalived:lb2:VI_1': 'keepalived on lb2 in FAULT for VI_1' });
    const back = foldKeepalivedNotify(fault.next, notify('lb2', 'BACKUP', T0 + 5_000));
    assert.deepEqual(back.next.external, {});
  });

  it('the topology is as of the later of what it knew and the notify', () => {
    const prev = { ...heldBy('lb1'), updatedAt: T0 + 10_000 };
    assert.equal(foldKeepalivedNotify(prev, notify('lb2', 'MASTER', T0)).next.updatedAt, T0 + 10_000);
    assert.equal(foldKeepalivedNotify(prev, notify('lb2', 'MASTER', T0 + 20_000)).next.updatedAt, T0 + 20_000);
  });
});
