import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planFlush, type FlushInput, type FlushPlan } from './flush';
import { H, M, member, route, T0 } from './dispatch-fixtures';

const routing = { externalUrl: 'https://nines.example.com', ackSecret: 'ack-secret-0123456789', ackTtlMs: 7 * 24 * H, channels: new Map([['oncall', ['webhook', 'email'] as ('email' | 'webhook')[]]]) };
const group = { key: '0:{"system":"orders-db"}', receiver: 'oncall', groupLabels: { system: 'orders-db' } };
const nobodySuppressed = () => false;

function flush(over: Partial<FlushInput>): FlushPlan {
  return planFlush({ group, route, members: [], suppressed: nobodySuppressed, incidents: [], routing, now: T0, issuedAt: T0, ...over });
}

function sent(p: FlushPlan) {
  assert.ok(p.send, 'the flush notifies');
  return p;
}

describe('a group flush (no database)', () => {
  it('notifies a first firing alert once per receiver channel, and plans the repeat', () => {
    const p = sent(flush({ members: [member('SystemDown')] }));
    assert.deepEqual(p.rows.map((r) => r.id), [`${p.payload.id}-webhook`, `${p.payload.id}-email`]);
    assert.equal(p.rows[0].payload.id, p.rows[0].id, 'each row carries its own id as the webhook-id');
    assert.equal(p.payload.status, 'firing');
    assert.deepEqual(p.notifiedFiring, ['fp-SystemDown']);
    assert.equal(p.nextFlushAt, T0 + H);
    assert.equal(p.firstAlertAt, T0);
    assert.equal(p.firing, true);
  });

  it('is quiet when nothing changed and the repeat is not due, and looks again at the repeat', () => {
    const first = sent(flush({ members: [member('SystemDown')] }));
    const again = flush({ members: [member('SystemDown', { notifiedState: 'firing' })], group: { ...group, lastFlushAt: T0, lastHash: first.hash }, now: T0 + 10 * M });
    assert.deepEqual(again, { send: false, hash: first.hash, nextFlushAt: T0 + H, rememberHash: false, finished: [] });
  });

  it('repeats after repeat_interval with the same content', () => {
    const first = sent(flush({ members: [member('SystemDown')] }));
    const repeat = sent(flush({ members: [member('SystemDown', { notifiedState: 'firing' })], group: { ...group, lastFlushAt: T0, lastHash: first.hash }, now: T0 + H }));
    assert.equal(repeat.hash, first.hash);
    assert.notEqual(repeat.payload.id, first.payload.id, 'a new flush, a new notification id');
  });

  it('does not repeat once every firing alert’s incident is acknowledged', () => {
    const first = sent(flush({ members: [member('SystemDown', { incidentId: 7 })], incidents: [{ id: 7, rootSystem: 'orders-db', acknowledged: false }] }));
    const p = flush({
      members: [member('SystemDown', { incidentId: 7, notifiedState: 'firing' })],
      incidents: [{ id: 7, rootSystem: 'orders-db', acknowledged: true }],
      group: { ...group, lastFlushAt: T0, lastHash: first.hash },
      now: T0 + H,
    });
    assert.equal(p.send, false);
    assert.equal(p.nextFlushAt, T0 + 2 * H);
  });

  it('reports a resolution of an alert it reported firing, and lets the member go', () => {
    const first = sent(flush({ members: [member('SystemDown')] }));
    const p = sent(
      flush({ members: [member('SystemDown', { state: 'resolved', resolvedAt: T0 + 5 * M, notifiedState: 'firing' })], group: { ...group, lastFlushAt: T0, lastHash: first.hash }, now: T0 + 5 * M }),
    );
    assert.equal(p.payload.status, 'resolved');
    assert.equal(p.payload.alerts[0].endsAt, new Date(T0 + 5 * M).toISOString());
    assert.deepEqual(p.finished, ['fp-SystemDown']);
    assert.equal(p.nextFlushAt, undefined, 'nothing fires: no repeat planned');
    assert.equal(p.firing, false);
  });

  it('keeps resolutions to itself on a route with send_resolved: false', () => {
    const p = flush({ route: { ...route, sendResolved: false }, members: [member('SystemDown', { state: 'resolved', resolvedAt: T0, notifiedState: 'firing' })] });
    assert.equal(p.send, false);
    assert.deepEqual(p, { send: false, hash: p.hash, nextFlushAt: undefined, rememberHash: true, finished: ['fp-SystemDown'] });
  });

  it('does not report the resolution of an alert nobody was told about', () => {
    const p = flush({ members: [member('SystemDown', { state: 'resolved', resolvedAt: T0 })] });
    assert.equal(p.send, false);
  });

  it('holds a suppressed member and looks again each group_interval, as a silence can end', () => {
    const p = flush({ members: [member('MemberDown')], suppressed: () => true });
    assert.deepEqual(p, { send: false, hash: p.hash, nextFlushAt: T0 + M, rememberHash: false, finished: [] });
  });

  it('counts entering the flapping state as news, with the flap count', () => {
    const first = sent(flush({ members: [member('SystemDown')] }));
    const p = sent(flush({ members: [member('SystemDown', { flapping: true, flips: [1, 2, 3, 4], notifiedState: 'firing' })], group: { ...group, lastFlushAt: T0, lastHash: first.hash }, now: T0 + M }));
    assert.notEqual(p.hash, first.hash);
    assert.equal(p.payload.alerts[0].flapCount, 4);
  });

  it('links the incident still waiting for an acknowledgement, with a signed ack link issued at send time', () => {
    const p = sent(
      flush({
        members: [member('SystemDown', { incidentId: 3 }), member('MemberDown', { incidentId: 4 })],
        incidents: [{ id: 3, rootSystem: 'orders-db', acknowledged: true }, { id: 4, rootSystem: 'orders-db', acknowledged: false }],
        issuedAt: T0 + 30_000,
      }),
    );
    assert.equal(p.payload.incidentUrl, 'https://nines.example.com/incidents/4');
    assert.match(p.payload.ackUrl!, new RegExp(`/api/v1/ack/4\\.${Math.floor((T0 + 30_000 + 7 * 24 * H) / 1000)}\\.`));
    assert.deepEqual(p.payload.commonLabels, { system: 'orders-db' });
  });
});
