import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupDedupKey } from '../../../notify/src/alert-text';
import { opsgenieRequest } from '../../../notify/src/opsgenie.notifier';
import { pagerdutyEvent } from '../../../notify/src/pagerduty.notifier';
import { planAckPropagation, type AckPropagationInput } from './ack-propagation';
import { member, T0 } from './dispatch-fixtures';

const input = (acknowledged: boolean[], over: Partial<AckPropagationInput> = {}): AckPropagationInput => ({
  key: 'g-orders',
  groupLabels: { system: 'orders-db' },
  triggered: [
    { receiver: 'pd', channel: 'pagerduty' },
    { receiver: 'og', channel: 'opsgenie' },
    { receiver: 'chat', channel: 'slack' },
    { receiver: 'pd', channel: 'pagerduty' },
  ],
  members: acknowledged.map((_, i) => member(`A${i}`, { incidentId: i + 1 })),
  incidents: acknowledged.map((a, i) => ({ id: i + 1, rootSystem: 'orders-db', acknowledged: a, acknowledgedBy: a ? 'bob' : undefined })),
  routing: { externalUrl: 'http://nines', ackTtlMs: 1000 },
  issuedAt: T0,
  ...over,
});

describe('acknowledgements told to PagerDuty and Opsgenie', () => {
  it('while any incident of the group waits, nothing is told', () => {
    assert.deepEqual(planAckPropagation(input([true, false])), []);
  });

  it('all acknowledged: one row per PagerDuty and Opsgenie receiver the group triggered, none for Slack', () => {
    const rows = planAckPropagation(input([true, true]));
    assert.deepEqual(rows.map((r) => [r.channel, r.payload.receiver, r.payload.kind]), [['pagerduty', 'pd', 'acknowledged'], ['opsgenie', 'og', 'acknowledged']]);
    assert.ok(rows.every((r) => r.payload.id === r.id && r.payload.acknowledgedBy === 'bob'));
  });

  it('ids from the group and its incidents: another replica or a later pass writes the same rows; a new incident gets new ones', () => {
    const a = planAckPropagation(input([true])).map((r) => r.id);
    assert.deepEqual(planAckPropagation(input([true], { issuedAt: T0 + 60_000 })).map((r) => r.id), a);
    const other = planAckPropagation(input([true], { members: [member('A0', { incidentId: 7 })], incidents: [{ id: 7, rootSystem: 'orders-db', acknowledged: true }] })).map((r) => r.id);
    assert.equal(other.length, 2);
    assert.ok(other.every((id) => !a.includes(id)));
  });

  it('PagerDuty: event_action acknowledge with the dedup_key of the trigger; Opsgenie: acknowledge by the alias of the create', () => {
    const [pd, og] = planAckPropagation(input([true]));
    assert.deepEqual(pagerdutyEvent(pd.payload, 'rk'), { routing_key: 'rk', event_action: 'acknowledge', dedup_key: groupDedupKey(pd.payload) });
    assert.equal(groupDedupKey(pd.payload), groupDedupKey({ ...pd.payload, kind: 'alerts' }), 'the same key the trigger carried');
    const req = opsgenieRequest(og.payload);
    assert.equal(req.path, `/v2/alerts/${encodeURIComponent(groupDedupKey(og.payload))}/acknowledge?identifierType=alias`);
    assert.deepEqual(req.body, { source: 'Nines', user: 'bob', note: 'Acknowledged in Nines' });
  });
});
