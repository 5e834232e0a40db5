import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { freshDatabase } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startProviderReceiver, type ProviderCredentials, type ProviderHit, type ProviderKind, type ProviderReceiver } from '../support/servers/provider-receivers';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { freePort, tempDir } from '../support/servers/spawned';
import { startBreakableTarget, type BreakableTarget } from '../support/servers/webhook-receiver';
import { getJson, getText, parseMetrics, sleep, waitFor } from '../support/wait';

/**
 * The notification channels end to end: a real Nines process probes local HTTP services the
 * tests break, and routes their alerts to local stand-ins of PagerDuty, Opsgenie, Slack, Teams,
 * Telegram, ntfy and Twilio that check every request against the provider's API and auth.
 * Each provider gets exactly one trigger (and one resolve where it has one); a provider that is
 * down, or answers 500, gets the notification once it is back, once; a refusal is dead-lettered
 * after one request; Slack's Acknowledge button, signed, acknowledges the incident and stops the
 * repeats, forged it is refused; and no credential shows in the logs, /metrics or the API.
 */
const ARRIVES = 45_000;
const SID = `AC${'7f3e2d1c0b9a8877'.repeat(2)}`;
const CREDS: Required<ProviderCredentials> = {
  pagerduty: { routingKey: 'PdRoutingKey0e2e0channels0000042' },
  opsgenie: { apiKey: '0c4a7e11-6d2b-4f8e-9a31-5be7c0ffee42' },
  slack: { token: 'xoxb-4242-4242-SlackBotTokenE2E', channels: ['#oncall', '#acks'] },
  teams: { sig: 'TeamsWorkflowSigE2E0123456789abcd' },
  telegram: { botToken: '424242:TelegramBotTokenE2E-abcdefg', chatIds: ['1234'] },
  ntfy: { token: 'tk_ntfyaccesstokene2e0123456789', topics: ['nines'] },
  twilio: { accountSid: SID, authToken: 'TwilioAuthTokenE2E0123456789abcd' },
};
const SIGNING_SECRET = 'SlackSigningSecretE2E0123456789ab';
const WRONG = { routingKey: 'PdWrongRoutingKey00000000000000X', twilioToken: 'TwilioWrongTokenE2E000000000000x', ntfyToken: 'tk_ntfywrongtokene2e00000000000' };
const SECRETS = [CREDS.pagerduty.routingKey, CREDS.opsgenie.apiKey, CREDS.slack.token, CREDS.teams.sig, CREDS.telegram.botToken, CREDS.ntfy.token!, CREDS.twilio.authToken, SIGNING_SECRET, WRONG.routingKey, WRONG.twilioToken, WRONG.ntfyToken, Buffer.from(`${SID}:${CREDS.twilio.authToken}`).toString('base64')];
const KINDS: ProviderKind[] = ['pagerduty', 'opsgenie', 'slack', 'teams', 'telegram', 'ntfy', 'twilio'];

interface NotificationJson {
  id: string;
  receiver: string;
  channel: string;
  state: string;
  attempts: number;
  last_error: string | null;
  status: string;
}

function assertNoSecret(where: string, text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} leaks ${s.slice(0, 10)}…:\n${text.split('\n').filter((l) => l.includes(s)).slice(0, 3).join('\n')}`);
}

/** What a hit says: trigger/resolve/acknowledge for the providers that have them, firing/resolved for the others. */
function actionOf(h: ProviderHit, kind: ProviderKind): string {
  switch (kind) {
    case 'pagerduty':
      return h.body.event_action;
    case 'opsgenie':
      return h.path === '/v2/alerts' ? 'create' : h.path.split('/').at(-1)!;
    case 'slack':
      return /^\[FIRING/.test(h.body.text) ? 'firing' : 'resolved';
    case 'teams':
      return /^Firing/.test(h.body.attachments[0].content.body[0].text) ? 'firing' : 'resolved';
    case 'telegram':
      return /^<b>\[FIRING/.test(h.body.text) ? 'firing' : 'resolved';
    case 'ntfy':
      return /^\[FIRING/.test(h.body.title) ? 'firing' : 'resolved';
    case 'twilio':
      return `${/\[FIRING/.test(h.body.Body) ? 'firing' : 'resolved'} ${h.body.To}`;
  }
}

/** The accepted hits of a stand-in that concern one system (by the text each provider carries). */
function about(r: ProviderReceiver, system: string): ProviderHit[] {
  return r.accepted().filter((h) => h.raw.includes(system) || (r.kind === 'pagerduty' && h.body.event_action !== 'trigger') || (r.kind === 'opsgenie' && h.path !== '/v2/alerts'));
}

describe('notification channels: PagerDuty, Opsgenie, Slack, Teams, Telegram, ntfy, Twilio (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let nines: NinesProcess;
  let redis: RedisNode;
  const redisDir = tempDir('channels');
  const p = {} as Record<ProviderKind, ProviderReceiver>;
  let pdLate: ProviderReceiver;
  let ogFlaky: ProviderReceiver;
  let pdWrong: ProviderReceiver;
  const targets: Record<string, BreakableTarget> = {};

  const notifications = async (receiver: string, state?: string) => {
    const r = await getJson<{ notifications: NotificationJson[] }>(`${nines.url}/api/v1/notifications?receiver=${receiver}${state ? `&state=${state}` : ''}&limit=1000`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.notifications;
  };

  before(async () => {
    const redisPort = await freePort();
    redis = await startRedis(redisDir.path, { port: redisPort });
    db = await freshDatabase('channels');
    for (const k of KINDS) p[k] = await startProviderReceiver(k, CREDS);
    pdLate = await startProviderReceiver('pagerduty', CREDS);
    ogFlaky = await startProviderReceiver('opsgenie', CREDS);
    pdWrong = await startProviderReceiver('pagerduty', CREDS);
    for (const name of ['everything', 'late', 'flaky', 'refused', 'ackme', 'wrongkeys']) targets[name] = await startBreakableTarget();
    const system = (name: string) => `  - name: ${name}
    layer: service
    kind: http
    endpoint:
      probe: { kind: http, url: "${targets[name].url}" }`;
    const ep = (r: ProviderReceiver) => `url: "${r.url}", allow_private: true`;
    const config = writeConfig(`
defaults: { interval: 1s, timeout: 2s, failure_threshold: 2 }
systems:
${Object.keys(targets).map(system).join('\n')}
alerting:
  external_url: https://nines.example.com
  receivers:
    - name: everyone
      pagerduty: { routing_key: "${CREDS.pagerduty.routingKey}", ${ep(p.pagerduty)} }
      opsgenie: { api_key: "${CREDS.opsgenie.apiKey}", ${ep(p.opsgenie)} }
      slack: { token: "${CREDS.slack.token}", channel: "#oncall", signing_secret: "${SIGNING_SECRET}", ${ep(p.slack)} }
      teams: { url: "${p.teams.url}", allow_private: true }
      telegram: { bot_token: "${CREDS.telegram.botToken}", chat_id: "1234", ${ep(p.telegram)} }
      ntfy: { url: "${p.ntfy.url}", topic: nines, token: "${CREDS.ntfy.token}", allow_private: true }
      twilio: { account_sid: "${SID}", auth_token: "${CREDS.twilio.authToken}", from: "+15550199", to: ["+15550100", "+15550101"], mode: sms, ${ep(p.twilio)} }
    - name: late
      pagerduty: { routing_key: "${CREDS.pagerduty.routingKey}", ${ep(pdLate)} }
    - name: flaky
      opsgenie: { api_key: "${CREDS.opsgenie.apiKey}", ${ep(ogFlaky)} }
    - name: refused
      telegram: { bot_token: "${CREDS.telegram.botToken}", chat_id: "-100999", ${ep(p.telegram)} }
    - name: acks
      slack: { token: "${CREDS.slack.token}", channel: "#acks", signing_secret: "${SIGNING_SECRET}", ${ep(p.slack)} }
    - name: wrongkeys
      pagerduty: { routing_key: "${WRONG.routingKey}", ${ep(pdWrong)} }
      ntfy: { url: "${p.ntfy.url}", topic: nines, token: "${WRONG.ntfyToken}", allow_private: true }
      twilio: { account_sid: "${SID}", auth_token: "${WRONG.twilioToken}", from: "+15550199", to: ["+15550100"], mode: voice, ${ep(p.twilio)} }
  route:
    receiver: everyone
    group_by: [alertname, system]
    group_wait: 0s
    group_interval: 1s
    repeat_interval: 1h
    routes:
      - { matchers: ['system="late"'], receiver: late }
      - { matchers: ['system="flaky"'], receiver: flaky }
      - { matchers: ['system="refused"'], receiver: refused }
      - { matchers: ['system="ackme"'], receiver: acks, repeat_interval: 3s }
      - { matchers: ['system="wrongkeys"'], receiver: wrongkeys }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redisPort}` });
    await waitFor('every system up', async () => {
      const r = await getJson<{ targets: unknown[] }>(`${nines.url}/api/v1/targets?state=up`);
      return r.body.targets?.length === Object.keys(targets).length;
    }, 30_000);
  });

  after(async () => {
    if (process.env.NINES_TEST_LOGS) require('node:fs').writeFileSync(`${process.env.NINES_TEST_LOGS}/channels.log`, nines?.logs() ?? '');
    await nines?.stop();
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await Promise.all([...KINDS.map((k) => p[k]?.close()), pdLate?.close(), ogFlaky?.close(), pdWrong?.close()]);
    await redis?.kill();
    redisDir.remove();
    await db?.drop();
  });

  it('a system goes down and comes back: every provider gets one trigger and one resolve (or resolved message), Twilio one SMS per number', async () => {
    await targets.everything.stop();
    for (const k of KINDS) await waitFor(`the firing notification at ${k}`, () => about(p[k], 'everything').length >= (k === 'twilio' ? 2 : 1), ARRIVES);
    // The trigger carries what the provider needs.
    const trig = about(p.pagerduty, 'everything')[0];
    assert.equal(trig.body.event_action, 'trigger');
    assert.equal(trig.body.payload.source, 'everything');
    assert.equal(trig.body.payload.severity, 'critical');
    assert.match(trig.body.payload.summary, /^\[FIRING:1\] everything: /);
    const incidentUrl = trig.body.links[0].href as string;
    assert.match(incidentUrl, /^https:\/\/nines\.example\.com\/incidents\/\d+$/);
    const create = about(p.opsgenie, 'everything')[0];
    assert.equal(create.headers.authorization, `GenieKey ${CREDS.opsgenie.apiKey}`);
    assert.equal(create.body.alias, trig.body.dedup_key, 'the Opsgenie alias and the PagerDuty dedup_key are the same group key');
    const slackMsg = about(p.slack, 'everything')[0];
    assert.equal(slackMsg.headers.authorization, `Bearer ${CREDS.slack.token}`);
    const ack = slackMsg.body.blocks.find((b: any) => b.type === 'actions').elements.find((e: any) => e.action_id === 'nines_ack');
    assert.equal(ack.value, `incident:${incidentUrl.split('/').at(-1)}`);
    assert.equal(about(p.teams, 'everything')[0].body.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(about(p.telegram, 'everything')[0].body.parse_mode, 'HTML');
    assert.equal(about(p.ntfy, 'everything')[0].headers.authorization, `Bearer ${CREDS.ntfy.token}`);
    assert.deepEqual(about(p.twilio, 'everything').map((h) => h.body.To).sort(), ['+15550100', '+15550101']);

    await targets.everything.start();
    for (const k of KINDS) await waitFor(`the resolution at ${k}`, () => about(p[k], 'everything').length >= (k === 'twilio' ? 4 : 2), ARRIVES);
    await sleep(3000); // nothing more may come: no repeat, no duplicate
    const seen = Object.fromEntries(KINDS.map((k) => [k, about(p[k], 'everything').map((h) => actionOf(h, k))]));
    assert.deepEqual(seen, {
      pagerduty: ['trigger', 'resolve'],
      opsgenie: ['create', 'close'],
      slack: ['firing', 'resolved'],
      teams: ['firing', 'resolved'],
      telegram: ['firing', 'resolved'],
      ntfy: ['firing', 'resolved'],
      twilio: seen.twilio,
    });
    assert.deepEqual(seen.twilio.slice(0, 2).sort(), ['firing +15550100', 'firing +15550101']);
    assert.deepEqual(seen.twilio.slice(2).sort(), ['resolved +15550100', 'resolved +15550101']);
    const resolve = about(p.pagerduty, 'everything')[1];
    assert.equal(resolve.body.dedup_key, trig.body.dedup_key, 'the resolve names the trigger');
    const close = about(p.opsgenie, 'everything')[1];
    assert.equal(close.path, `/v2/alerts/${create.body.alias}/close`);
    assert.equal(close.query.get('identifierType'), 'alias');
    // Every request that reached a stand-in for this system was valid: nothing refused.
    for (const k of KINDS) assert.deepEqual(p[k].hits.filter((h) => !h.accepted && h.raw.includes('everything')).map((h) => h.answer), [], `${k} refused nothing`);
    const rows = await notifications('everyone', 'sent');
    assert.equal(rows.length, 16, `8 rows per notification (six providers, two numbers): ${JSON.stringify(rows.map((r) => r.id))}`);
  });

  it('a provider that is down for a while gets the notification once it is back, once; one answering 500 gets it on a later attempt, once', async () => {
    await pdLate.down();
    ogFlaky.force((n) => (n < 2 ? 'server_error' : undefined));
    await targets.late.stop();
    await targets.flaky.stop();
    await waitFor('a failed attempt to the PagerDuty that is down', async () => (await notifications('late')).find((n) => n.attempts >= 1 && n.last_error), ARRIVES);
    await sleep(5000);
    assert.equal(pdLate.hits.length, 0);
    await pdLate.up();
    const late = await waitFor('delivered to late', async () => (await notifications('late', 'sent'))[0], ARRIVES);
    assert.ok(late.attempts >= 2, `attempts ${late.attempts}`);
    const flaky = await waitFor('delivered to flaky', async () => (await notifications('flaky', 'sent'))[0], ARRIVES);
    assert.equal(flaky.attempts, 3);
    await sleep(3000);
    assert.deepEqual(pdLate.accepted().map((h) => h.body.event_action), ['trigger']);
    assert.deepEqual(ogFlaky.hits.map((h) => h.status), [500, 500, 202]);
    const m = parseMetrics((await getText(`${nines.url}/metrics`)).text);
    const of = (receiver: string, outcome: string) => m.find((s) => s.name === 'nines_notifications_total' && s.labels.receiver === receiver && s.labels.outcome === outcome)?.value;
    assert.equal(of('flaky', 'failed'), 2);
    assert.equal(of('flaky', 'sent'), 1);
  });

  it("a provider's refusal (Telegram 400 chat not found) is dead-lettered after one request, not retried", async () => {
    const before = p.telegram.hits.filter((h) => h.body?.chat_id === '-100999').length;
    assert.equal(before, 0);
    await targets.refused.stop();
    const dead = await waitFor('a dead notification for refused', async () => (await notifications('refused', 'dead'))[0], ARRIVES);
    assert.equal(dead.attempts, 1);
    assert.match(dead.last_error ?? '', /answered 400: Bad Request: chat not found/);
    await sleep(5000);
    assert.equal(p.telegram.hits.filter((h) => h.body?.chat_id === '-100999').length, 1, 'exactly one request');
  });

  it("Slack's Acknowledge button: a forged callback is 401 and changes nothing; a signed one acknowledges the incident, is audited, and the repeats stop", async () => {
    await targets.ackme.stop();
    const first = await waitFor('the first Slack message to #acks', () => p.slack.accepted().find((h) => h.body.channel === '#acks'), ARRIVES);
    const button = first.body.blocks.find((b: any) => b.type === 'actions').elements.find((e: any) => e.action_id === 'nines_ack');
    const incident = Number(/^incident:(\d+)$/.exec(button.value)![1]);
    // repeat_interval 3s: unacknowledged, the group repeats.
    await waitFor('a repeat while unacknowledged', () => p.slack.accepted().filter((h) => h.body.channel === '#acks').length >= 2, 20_000);

    const interaction = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ALICE', username: 'alice', team_id: 'T0' }, api_app_id: 'A0', container: { type: 'message', channel_id: 'C0NINES01' }, actions: [{ type: 'button', action_id: 'nines_ack', block_id: 'nines_actions', value: button.value, action_ts: '1' }], response_url: 'https://hooks.slack.com/actions/T0/1/x' }))}`;
    const post = (body: string, ts: string, sig: string) =>
      getJson(`${nines.url}/api/v1/integrations/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig }, body });
    const now = String(Math.floor(Date.now() / 1000));
    const sign = (secret: string, ts: string, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

    const forged = await post(interaction, now, sign('not-the-signing-secret', now, interaction));
    assert.equal(forged.status, 401, JSON.stringify(forged.body));
    assert.equal(forged.body.error.code, 'unauthorized');
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    assert.equal((await post(interaction, stale, sign(SIGNING_SECRET, stale, interaction))).status, 401, 'a replay older than 5 minutes');
    const tampered = interaction.replace(encodeURIComponent(button.value), encodeURIComponent(`incident:${incident + 1}`));
    assert.equal((await post(tampered, now, sign(SIGNING_SECRET, now, interaction))).status, 401, 'a signed body, modified');
    assert.equal((await getJson(`${nines.url}/api/v1/incidents/${incident}`)).body.acknowledged_at ?? null, null, 'the refused callbacks acknowledged nothing');

    const ok = await post(interaction, now, sign(SIGNING_SECRET, now, interaction));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { incident, acknowledged: true, already_acknowledged: false });
    const inc = (await getJson(`${nines.url}/api/v1/incidents/${incident}`)).body;
    assert.ok(inc.acknowledged_at);
    assert.equal(inc.acknowledged_by, 'slack:alice');
    const audit = (await getJson<{ target: string; role: string; actor: string }[]>(`${nines.url}/api/v1/audit?action=incident.ack`)).body;
    const row = audit.find((e) => e.target === String(incident));
    assert.ok(row, JSON.stringify(audit));
    assert.equal(row.role, 'slack');
    assert.equal(row.actor, 'slack:alice');

    // The repeats stop: at most one already on its way when the ack landed.
    await sleep(1500);
    const atAck = p.slack.accepted().filter((h) => h.body.channel === '#acks').length;
    await sleep(8000);
    assert.equal(p.slack.accepted().filter((h) => h.body.channel === '#acks').length, atAck, 'no repeat after the acknowledgement');
    // Pressing again is harmless.
    const again = await post(interaction, now, sign(SIGNING_SECRET, now, interaction));
    assert.deepEqual(again.body, { incident, acknowledged: true, already_acknowledged: true });
  });

  it('no credential is in the logs, /metrics or the API, even after providers refused them', async () => {
    await targets.wrongkeys.stop();
    await waitFor('the wrong-key notifications dead-lettered', async () => (await notifications('wrongkeys', 'dead')).length === 3, ARRIVES);
    const errors = (await notifications('wrongkeys', 'dead')).map((n) => n.last_error ?? '');
    assert.ok(errors.some((e) => /Invalid routing key/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /20003 Authenticate/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /unauthorized \(40101\)/.test(e)), errors.join('\n'));
    const texts: [string, string][] = [
      ['/metrics', (await getText(`${nines.url}/metrics`)).text],
      ['/api/v1/notifications', (await getText(`${nines.url}/api/v1/notifications?limit=1000`)).text],
      ['/api/v1/alerts', (await getText(`${nines.url}/api/v1/alerts`)).text],
      ['/api/v1/incidents', (await getText(`${nines.url}/api/v1/incidents`)).text],
      ['/api/v1/audit', (await getText(`${nines.url}/api/v1/audit`)).text],
      ['/docs/openapi.json', (await getText(`${nines.url}/docs/openapi.json`)).text],
      ['logs', nines.logs()],
    ];
    for (const [where, text] of texts) assertNoSecret(where, text);
    assert.match(nines.logs(), /dead-lettered/, 'the logs did report the refusals');
  });
});
