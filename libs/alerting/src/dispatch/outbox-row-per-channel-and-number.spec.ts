import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firingPayload } from '../../../notify/src/notify-fixtures';
import type { Channel } from '../../../notify/src/notification';
import { outboxRows } from './outbox';

describe('outbox rows: one per channel, and one per number for Twilio', () => {
  it('each channel of the receiver gets its own row with a stable id', () => {
    const p = firingPayload({ id: 'n-1', receiver: 'oncall' });
    const rows = outboxRows(p, new Map<string, Channel[]>([['oncall', ['slack', 'pagerduty']]]));
    assert.deepEqual(rows.map((r) => [r.id, r.channel, r.payload.id]), [['n-1-slack', 'slack', 'n-1-slack'], ['n-1-pagerduty', 'pagerduty', 'n-1-pagerduty']]);
  });

  it('a Twilio receiver with two numbers gets two rows, each carrying its number: a failed number is retried alone', () => {
    const p = firingPayload({ id: 'n-2', receiver: 'phone' });
    const rows = outboxRows(p, new Map<string, Channel[]>([['phone', ['twilio']]]), new Map([['phone/twilio', ['+15550100', '+15550101']]]));
    assert.deepEqual(rows.map((r) => [r.id, r.payload.recipient]), [['n-2-twilio-15550100', '+15550100'], ['n-2-twilio-15550101', '+15550101']]);
  });
});
