import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { receiverChannels } from './receivers';
import { problems } from './testing/problems';


const SID = `AC${'0123456789abcdef'.repeat(2)}`;
// PRODUCT.md's receivers, as written there.
const PRODUCT = `
alerting:
  receivers:
    - { name: pd, pagerduty: { routing_key: "\${PD_KEY}" } }
    - { name: og, opsgenie: { api_key: "\${OG_KEY}" } }
    - { name: chat, slack: { token: "\${SLACK_TOKEN}", channel: "#oncall", signing_secret: "\${SLACK_SIGNING}" } }
    - { name: teams, teams: { url: "\${TEAMS_WORKFLOW_URL}" } }
    - { name: tg, telegram: { bot_token: "\${TG_TOKEN}", chat_id: "1234" } }
    - { name: push, ntfy: { url: "https://ntfy.sh", topic: nines } }
    - { name: phone, twilio: { account_sid: "\${TW_SID}", auth_token: "\${TW_TOKEN}", from: "+15550199" } }
  route: { receiver: chat }
`;
const ENV = {
  PD_KEY: 'pdRoutingKey0123456789abcdef0123',
  OG_KEY: 'og-0000-key',
  SLACK_TOKEN: 'xoxb-slack-token',
  SLACK_SIGNING: 'slack-signing-secret',
  TEAMS_WORKFLOW_URL: 'https://prod.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=TeamsSig0123456789',
  TG_TOKEN: '123:telegram-token',
  TW_SID: SID,
  TW_TOKEN: 'twilio-auth-token',
};

describe('config: provider receivers', () => {
  it("PRODUCT.md's receivers parse, each with its channel, and every credential goes to the scrubber", () => {
    const c = parseConfig(PRODUCT, ENV);
    assert.deepEqual(c.raw.alerting.receivers.map((r) => [r.name, receiverChannels(r)]), [
      ['pd', ['pagerduty']],
      ['og', ['opsgenie']],
      ['chat', ['slack']],
      ['teams', ['teams']],
      ['tg', ['telegram']],
      ['push', ['ntfy']],
      ['phone', ['twilio']],
    ]);
    const twilio = c.raw.alerting.receivers[6].twilio!;
    assert.equal(twilio.mode, 'sms');
    assert.equal(c.raw.alerting.receivers[0].pagerduty!.allow_private, false);
    for (const s of [ENV.PD_KEY, ENV.OG_KEY, ENV.SLACK_TOKEN, ENV.SLACK_SIGNING, ENV.TEAMS_WORKFLOW_URL, 'TeamsSig0123456789', ENV.TG_TOKEN, ENV.TW_TOKEN])
      assert.ok(c.secrets.includes(s), `${s} registered`);
    assert.ok(c.secrets.includes(Buffer.from(`${SID}:${ENV.TW_TOKEN}`).toString('base64')), 'the Basic credential Twilio requests carry');
  });

  it('a receiver may combine channels; url, allow_private and timeout are taken by every provider', () => {
    const c = parseConfig(`
alerting:
  receivers:
    - name: both
      email: { to: [a@example.com] }
      pagerduty: { routing_key: k, url: "http://127.0.0.1:9/pd", allow_private: true, timeout: 2s }
      ntfy: { url: "https://push.example.com", topic: ops, token: tk_abc }
  route: { receiver: both }
smtp: { url: "smtp://127.0.0.1:25", from: "n@example.com" }
`);
    assert.deepEqual(receiverChannels(c.raw.alerting.receivers[0]), ['email', 'pagerduty', 'ntfy']);
    assert.ok(c.secrets.includes('tk_abc'));
  });

  it('mistakes are named by path: missing keys, unknown keys, bad numbers, modes, topics and URLs', () => {
    assert.deepEqual(
      problems(`
alerting:
  receivers:
    - { name: a, pagerduty: { } }
    - { name: b, slack: { token: t, channel: "#x", singing_secret: s } }
    - { name: c, twilio: { account_sid: "AC12", auth_token: t, from: "5550199", mode: fax } }
    - { name: d, ntfy: { topic: "no spaces" , url: "ftp://x" } }
    - { name: e, teams: { } }
  route: { receiver: a }
`),
      [
        'alerting.receivers[0].pagerduty.routing_key: is required',
        'alerting.receivers[1].slack.singing_secret: unknown field (did you mean "signing_secret"?)',
        'alerting.receivers[2].twilio.account_sid: must be an Account SID (AC and 32 hex digits)',
        'alerting.receivers[2].twilio.from: must be an E.164 number like +15550100',
        'alerting.receivers[2].twilio.mode: must be one of sms, voice (got "fax")',
        'alerting.receivers[3].ntfy.url: must be http or https',
        'alerting.receivers[3].ntfy.topic: must be 1-64 letters, digits, "-" or "_"',
        'alerting.receivers[4].teams.url: is required',
      ],
    );
  });

  it('a Twilio receiver a route sends to needs numbers in `to`; one only an escalation policy reaches may leave them out', () => {
    const twilio = (name: string) => `    - { name: ${name}, twilio: { account_sid: "${SID}", auth_token: t, from: "+15550199" } }`;
    assert.deepEqual(problems(`
alerting:
  receivers:
${twilio('routed')}
${twilio('spare')}
  route: { receiver: routed }
`), ['alerting.receivers[0].twilio.to: needs at least one number: a route sends to this receiver']);
  });
});
