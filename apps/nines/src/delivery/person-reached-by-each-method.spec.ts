import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../../libs/config/src/config';
import { ConfigError } from '../../../../libs/config/src/errors';
import { compileRouting, routingFor } from '../../../../libs/alerting/src/routing-config';
import { mergeOnCall } from '../../../../libs/oncall/src/api-definitions';
import { planPolicyPages } from '../../../../libs/alerting/src/dispatch/policy-escalation';
import { member, T0 } from '../../../../libs/alerting/src/dispatch/dispatch-fixtures';
import { escalationItems, dueItems } from '../../../../libs/oncall/src/escalation';
import { SlackNotifier } from '../../../../libs/notify/src/slack.notifier';
import { TelegramNotifier } from '../../../../libs/notify/src/telegram.notifier';
import { TwilioNotifier } from '../../../../libs/notify/src/twilio.notifier';
import { buildNotifiers, personNotifiers } from './notifiers';

const receivers = `
    - { name: hook, webhook: { url: "http://127.0.0.1:9/x", allow_private: true } }
    - { name: sms-a, twilio: { account_sid: "AC0123456789abcdef0123456789abcdef", auth_token: "tok-a", from: "+15550199", to: ["+15550111"], mode: sms } }
    - { name: sms-b, twilio: { account_sid: "AC0123456789abcdef0123456789abcdef", auth_token: "tok-b", from: "+15550198", mode: voice } }
    - { name: chat, slack: { token: "xoxb-1", channel: "#oncall", signing_secret: "s" } }`;

const config = (people: string, more = '') =>
  parseConfig(
    `
people:
${people}
smtp: { url: "smtp://127.0.0.1:25", from: "nines@example.com" }
alerting:
  receivers:${receivers}${more}
  route: { receiver: hook }
`,
    {},
  );

/** Reads a notifier's settings (private to it) for the mapping's assertions. */
const cfg = (n: unknown) => (n as { cfg: Record<string, unknown> }).cfg;

describe('a paged person is reached by each contact method through a receiver of its kind', () => {
  it('phone → a Twilio call and sms → a Twilio text to their number, slack → a DM to their user id, through the first receiver of each kind; telegram without a receiver is no channel', () => {
    const c = config(`  - { name: alice, email: alice@example.com, phone: "+15550100", slack: U0ALICE, telegram: "4242" }`);
    assert.deepEqual(compileRouting(c, 'http://nines').channels.get('person:alice'), ['email', 'phone', 'sms', 'slack']);
    const n = buildNotifiers(c);
    assert.deepEqual([...n.keys()].filter((k) => k.startsWith('person:')), ['person:alice/email', 'person:alice/phone', 'person:alice/sms', 'person:alice/slack']);
    const phone = n.get('person:alice/phone');
    const sms = n.get('person:alice/sms');
    const slack = n.get('person:alice/slack');
    assert.ok(phone instanceof TwilioNotifier && sms instanceof TwilioNotifier && slack instanceof SlackNotifier);
    // The first Twilio receiver's account and number, the person's phone, never the receiver's own `to`.
    assert.deepEqual([cfg(phone).mode, cfg(phone).to, cfg(phone).from, cfg(phone).authToken], ['voice', ['+15550100'], '+15550199', 'tok-a']);
    assert.deepEqual([cfg(sms).mode, cfg(sms).to, cfg(sms).from], ['sms', ['+15550100'], '+15550199']);
    assert.deepEqual([cfg(slack).channel, cfg(slack).token, cfg(slack).ackButton], ['U0ALICE', 'xoxb-1', true]);
  });

  it('people[].via names the receiver a method goes through; telegram to the chat id', () => {
    const c = config(`  - { name: bob, phone: "+15550101", telegram: "4242", via: { sms: sms-b } }`, `
    - { name: tg, telegram: { bot_token: "123:abc", chat_id: "1" } }`);
    const n = buildNotifiers(c);
    assert.deepEqual(compileRouting(c, 'http://nines').channels.get('person:bob'), ['phone', 'sms', 'telegram']);
    assert.deepEqual([cfg(n.get('person:bob/sms')).from, cfg(n.get('person:bob/sms')).authToken], ['+15550198', 'tok-b'], 'sms through sms-b');
    assert.equal(cfg(n.get('person:bob/phone')).from, '+15550199', 'phone still through the first Twilio receiver');
    const tg = n.get('person:bob/telegram');
    assert.ok(tg instanceof TelegramNotifier);
    assert.equal(cfg(tg).chatId, '4242');
  });

  it('via naming an unknown receiver, or one of the wrong kind, is a config error at its path', () => {
    assert.throws(
      () => config(`  - { name: bob, phone: "+15550101", slack: U1, via: { sms: nope, slack: sms-a } }`),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.issues.map((i) => `${i.path}: ${i.message}`), ['people[0].via.sms: unknown receiver "nope"', 'people[0].via.slack: receiver "sms-a" has no slack settings']);
        return true;
      },
    );
  });

  it('notification rules [sms at once, slack after 3s]: each item pages its own channel with its own row id; a method with no receiver is named in the timeline', () => {
    const c = config(`  - { name: alice, phone: "+15550100", slack: U0ALICE, telegram: "4242", notification_rules: [ { after: 0s, via: [sms] }, { after: 3s, via: [slack, telegram] } ] }`);
    const routing = compileRouting(c, 'http://nines');
    const policy = { name: 'p', repeat: 0, steps: [{ notify: { person: 'alice' }, afterMs: 60_000 }] };
    const items = escalationItems(policy, T0, routing.people, () => null);
    const page = (sentUntil: number | undefined, now: number) =>
      planPolicyPages({ key: 'g1', policy: 'p', groupLabels: {}, members: [member('SystemDown')], suppressed: () => false, incidents: [], firstFiringAt: T0, due: dueItems(items, sentUntil, now), routing, now, issuedAt: now });
    const first = page(undefined, T0);
    assert.deepEqual(first.rows.map((r) => [r.channel, r.payload.receiver]), [['sms', 'person:alice']]);
    assert.deepEqual(first.steps.map((s) => s.message), ['escalation p step 1: paged alice by sms']);
    assert.deepEqual(page(T0, T0 + 2_999).rows, []);
    const later = page(T0, T0 + 3_000);
    assert.deepEqual(later.rows.map((r) => r.channel), ['slack']);
    assert.deepEqual(later.steps.map((s) => s.message), ['escalation p step 1: paged alice by slack (not by telegram: no receiver for it)']);
    // Ids from the item and channel: another replica planning the same item writes the same rows.
    assert.deepEqual(page(T0, T0 + 3_000).rows.map((r) => r.id), later.rows.map((r) => r.id));
    assert.notEqual(first.rows[0].id, later.rows[0].id);
  });

  it('a person and policy made over the API: routed with the config\'s (their channels, their policy), their notifiers built from the merged view', () => {
    const c = config(`  - { name: alice, email: alice@example.com }`);
    const dora = { name: 'dora', phone: '+15550177', slack: 'U0DORA', notification_rules: [{ after: '0s', via: ['phone'] as ['phone'] }] };
    const policy = { name: 'api-page', steps: [{ notify: { person: 'dora' }, after: '5m' }], repeat: 0 };
    const rows = [
      { kind: 'person' as const, name: 'dora', spec: dora, created_at: '', created_by: 't', updated_at: '', updated_by: 't' },
      { kind: 'escalation_policy' as const, name: 'api-page', spec: policy, created_at: '', created_by: 't', updated_at: '', updated_by: 't' },
    ];
    const view = mergeOnCall(c.raw, rows);
    const r = routingFor(c, 'http://nines', view);
    assert.equal(routingFor(c, 'http://nines', view), r, 'compiled once per view');
    assert.equal(routingFor(c, 'http://nines').channels.get('person:dora'), undefined, 'the config alone does not know her');
    assert.deepEqual(r.channels.get('person:dora'), ['phone', 'sms', 'slack']);
    assert.deepEqual(r.channels.get('person:alice'), ['email']);
    assert.deepEqual(r.policies.get('api-page')?.steps, [{ notify: { person: 'dora' }, afterMs: 300_000 }]);
    assert.deepEqual(r.people.get('dora')?.rules, [{ afterMs: 0, via: ['phone'] }]);
    const n = personNotifiers(view.people.filter((p) => view.fromApi.has(`person/${p.name}`)), c);
    assert.deepEqual([...n.keys()], ['person:dora/phone', 'person:dora/sms', 'person:dora/slack']);
    assert.deepEqual([cfg(n.get('person:dora/phone')).mode, cfg(n.get('person:dora/phone')).to, cfg(n.get('person:dora/phone')).authToken], ['voice', ['+15550177'], 'tok-a']);
  });
});
