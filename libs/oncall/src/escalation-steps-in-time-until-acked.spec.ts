import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueItems, escalationItems, type PersonDef, type PolicyDef } from './escalation';

const M = 60_000;
const people = new Map<string, PersonDef>([
  ['alice', { name: 'alice', email: 'a@example.com', phone: '+15550100', rules: [{ afterMs: 0, via: ['slack', 'email'] }, { afterMs: 5 * M, via: ['phone'] }] }],
  ['bob', { name: 'bob', email: 'b@example.com' }],
]);
const policy: PolicyDef = {
  name: 'db-page',
  steps: [
    { notify: { schedule: 'primary' }, afterMs: 5 * M },
    { notify: { person: 'bob' }, afterMs: 10 * M },
    { notify: { receiver: 'pd' }, afterMs: 10 * M },
  ],
  repeat: 1,
};
const T0 = Date.parse('2026-12-06T03:00:00Z');

describe('escalation policies', () => {
  const onCall = (schedule: string, at: number) => (schedule === 'primary' ? (at < T0 + 20 * M ? 'alice' : 'bob') : null);
  const items = escalationItems(policy, T0, people, onCall);
  const brief = (xs: typeof items) => xs.map((i) => `${(i.dueAt - T0) / M}m ${i.id} ${i.person ?? i.notify.receiver}${i.via ? ` via ${i.via.join('+')}` : ''}`);

  it('step 1 at once, each next one after the previous step waited; a person by their rules; the list repeats', () => {
    assert.deepEqual(brief(items), [
      '0m c0s0r0 alice via email', // slack is in the rule but alice has no slack handle
      '5m c0s0r1 alice via phone',
      '5m c0s1r0 bob via email', // no rules: every method at once
      '15m c0s2 pd',
      '25m c1s0r0 bob via email', // the second round: bob is on call by then
      '30m c1s1r0 bob via email',
      '40m c1s2 pd',
    ]);
  });

  it('what is due: after what was sent, not after now; each item once however often it is asked', () => {
    assert.deepEqual(brief(dueItems(items, undefined, T0)), ['0m c0s0r0 alice via email']);
    assert.deepEqual(brief(dueItems(items, T0, T0 + 4 * M)), []);
    assert.deepEqual(brief(dueItems(items, T0, T0 + 16 * M)), ['5m c0s0r1 alice via phone', '5m c0s1r0 bob via email', '15m c0s2 pd']);
    assert.deepEqual(brief(dueItems(items, T0 + 40 * M, T0 + 99 * M)), []);
  });

  it('a schedule with nobody on call is an item that says so (the timeline records it), and the next step still follows', () => {
    const gap = escalationItems({ name: 'p', steps: [{ notify: { schedule: 'empty' }, afterMs: M }, { notify: { person: 'bob' }, afterMs: M }], repeat: 0 }, T0, people, () => null);
    assert.deepEqual(
      gap.map((i) => [i.id, i.nobody ?? false, i.person ?? null]),
      [
        ['c0s0', true, null],
        ['c0s1r0', false, 'bob'],
      ],
    );
  });
});
