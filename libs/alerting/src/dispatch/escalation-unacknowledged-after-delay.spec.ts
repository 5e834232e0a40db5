import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRoute } from '../route';
import { escalationDue, planEscalation, type EscalationInput } from './escalation';
import { M, member, T0 } from './dispatch-fixtures';

const route = buildRoute({ receiver: 'oncall', escalate: { after: '15m', receiver: 'boss' } });
const routing = { externalUrl: 'https://nines.example.com', ackTtlMs: 0, channels: new Map([['boss', ['email'] as ('email' | 'webhook')[]]]) };
const due = route as EscalationInput['route'];
const input: EscalationInput = {
  key: 'g',
  from: 'oncall',
  route: due,
  groupLabels: {},
  members: [member('SystemDown', { incidentId: 1 })],
  suppressed: () => false,
  incidents: [{ id: 1, rootSystem: 'orders-db', acknowledged: false }],
  firstFiringAt: T0,
  routing,
  now: T0 + 15 * M,
  issuedAt: T0 + 15 * M,
};

describe('escalation', () => {
  it('is due once the group fired unacknowledged for the route’s delay', () => {
    assert.equal(escalationDue(route, T0, T0 + 14 * M), false);
    assert.equal(escalationDue(route, T0, T0 + 15 * M), true);
    assert.equal(escalationDue(buildRoute({ receiver: 'oncall' }), T0, T0 + 15 * M), false);
    assert.equal(escalationDue(undefined, T0, T0 + 15 * M), false);
  });

  it('pages the next receiver once, saying from whom and for how long', () => {
    const p = planEscalation(input)!;
    assert.equal(p.payload.receiver, 'boss');
    assert.deepEqual(p.payload.escalation, { from: 'oncall', unacknowledgedForMs: 15 * M });
    assert.deepEqual(p.rows.map((r) => r.payload.escalation), [{ from: 'oncall', unacknowledgedForMs: 15 * M }]);
    assert.equal(planEscalation({ ...input, now: T0 + 20 * M })!.payload.id, p.payload.id, 'one id per firing episode');
  });

  it('pages nobody for acknowledged or suppressed alerts', () => {
    assert.equal(planEscalation({ ...input, incidents: [{ id: 1, rootSystem: 'orders-db', acknowledged: true }] }), undefined);
    assert.equal(planEscalation({ ...input, suppressed: () => true }), undefined);
  });
});
