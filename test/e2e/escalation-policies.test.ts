import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { startProviderReceiver, type ProviderReceiver } from '../support/servers/provider-receivers';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { startSmtpInbox, type SmtpInbox } from '../support/servers/smtp-inbox';
import { tempDir } from '../support/servers/spawned';
import { startBreakableTarget, startWebhookReceiver, type BreakableTarget, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { getJson, sleep, waitFor } from '../support/wait';

const STEP_MS = 4000;
const SID = 'AC0e2e0123456789abcdef0123456789ab';
const CREDS = { twilio: { accountSid: SID, authToken: 'TwilioAuthTokenEsc0123456789abcd' }, slack: { token: 'xoxb-4242-EscalationE2E', channels: ['#oncall', 'U0CAROL'] }, pagerduty: { routingKey: 'PdRoutingKeyEscalationE2E0000000' }, opsgenie: { apiKey: '5e2ca1a7-0b1d-4c2e-8f00-e5ca1a7e0042' } };

/**
 * Issue 15: a failing target routed to an escalation policy of three steps (the schedule's
 * on-call person, then a named person, then a receiver), on three replicas. Nobody acknowledges:
 * each step pages once, at its time. Acknowledged after step 2: step 3 never pages. A person with
 * notification rules [sms at once, slack after 3s] is texted through the Twilio stand-in and
 * messaged through the Slack one, each once, at its time.
 */
describe('escalation policies on three replicas (real processes)', () => {
  const dir = tempDir('escalation');
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let hooks: WebhookReceiver;
  let mail: SmtpInbox;
  let twilio: ProviderReceiver;
  let slack: ProviderReceiver;
  let pd: ProviderReceiver;
  let og: ProviderReceiver;
  let procs: NinesProcess[] = [];
  const targets: Record<string, BreakableTarget> = {};

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('escalation');
    hooks = await startWebhookReceiver();
    mail = await startSmtpInbox();
    twilio = await startProviderReceiver('twilio', CREDS);
    slack = await startProviderReceiver('slack', CREDS);
    pd = await startProviderReceiver('pagerduty', CREDS);
    og = await startProviderReceiver('opsgenie', CREDS);
    for (const n of ['esc-a', 'esc-b', 'esc-c', 'esc-d']) targets[n] = await startBreakableTarget();
    const config = writeConfig(`
defaults: { interval: 1s, timeout: 700ms }
systems:
${Object.entries(targets).map(([n, t]) => `  - { name: ${n}, layer: service, kind: http, endpoint: { probe: { kind: http, url: "${t.url}" } } }`).join('\n')}
people:
  - { name: alice, email: alice@example.com }
  - { name: bob, email: bob@example.com }
  - { name: carol, phone: "+15550102", slack: U0CAROL, notification_rules: [ { after: 0s, via: [sms] }, { after: 3s, via: [slack] } ] }
schedules:
  - { name: primary, timezone: UTC, layers: [ { rotation: weekly, start: "2026-01-05 00:00", participants: [alice] } ] }
escalation_policies:
  - name: db-page
    steps: [ { notify: { schedule: primary }, after: ${STEP_MS}ms }, { notify: { person: bob }, after: ${STEP_MS}ms }, { notify: { receiver: last-resort }, after: ${STEP_MS}ms } ]
  - { name: carol-page, steps: [ { notify: { person: carol }, after: 1h } ] }
smtp: { url: "smtp://127.0.0.1:${mail.port}", from: "nines@example.com", starttls: off }
alerting:
  receivers:
    - { name: chat, webhook: { url: "${hooks.url}/chat", allow_private: true } }
    - { name: last-resort, webhook: { url: "${hooks.url}/last-resort", allow_private: true } }
    - { name: phones, twilio: { account_sid: "${SID}", auth_token: "${CREDS.twilio.authToken}", from: "+15550199", url: "${twilio.url}", allow_private: true } }
    - { name: pager, pagerduty: { routing_key: "${CREDS.pagerduty.routingKey}", url: "${pd.url}", allow_private: true }, opsgenie: { api_key: "${CREDS.opsgenie.apiKey}", url: "${og.url}", allow_private: true } }
    - { name: team-chat, slack: { token: "${CREDS.slack.token}", channel: "#oncall", url: "${slack.url}", allow_private: true } }
  route: { receiver: chat, group_by: [alertname, system], group_wait: 1s, group_interval: 1s, repeat_interval: 1h, routes: [ { matchers: ['system="esc-d"'], receiver: pager }, { matchers: ['system="esc-c"'], escalation_policy: carol-page }, { matchers: ['system=~"esc-.*"'], escalation_policy: db-page } ] }
`);
    procs = await Promise.all([0, 1, 2].map(() => startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0` })));
    await waitFor('targets up', async () => (await getJson(`${procs[0].url}/api/v1/targets?state=up`)).body.targets?.length === 4, 30_000);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await hooks?.close();
    await mail?.close();
    await twilio?.close();
    await slack?.close();
    await pd?.close();
    await og?.close();
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  const mailsFor = (target: string) => mail.mails.filter((m) => m.parsed.subject?.includes(target) || m.parsed.text?.includes(target));
  const lastResortFor = (system: string) => hooks.hitsOn('/last-resort').filter((h) => JSON.stringify(h.json).includes(`"system":"${system}"`));

  it('nobody acknowledges: the on-call person, then bob, then the last-resort receiver, each once, each a step later', async () => {
    const t0 = Date.now();
    await targets['esc-a'].stop();
    await waitFor('the last-resort receiver paged', () => lastResortFor('esc-a').length > 0, 40_000);
    await sleep(3 * STEP_MS); // the policy has three steps and no repeat: nothing more may come
    const mails = mailsFor('esc-a');
    assert.deepEqual(mails.map((m) => m.to.join(',')), ['alice@example.com', 'bob@example.com'], 'one mail to each person, in order');
    assert.equal(lastResortFor('esc-a').length, 1, 'the last step once, though three replicas dispatch');
    const aliceAt = mails[0].parsed.date!.getTime();
    const bobAt = mails[1].parsed.date!.getTime();
    const lastAt = lastResortFor('esc-a')[0].at;
    console.log(`escalation: alice +${aliceAt - t0} ms, bob +${bobAt - t0} ms, last resort +${lastAt - t0} ms after the target failed (steps ${STEP_MS} ms apart)`);
    assert.ok(bobAt - aliceAt >= STEP_MS - 1500, `bob paged ${bobAt - aliceAt} ms after alice`);
    assert.ok(lastAt - bobAt >= STEP_MS - 1500, `last resort paged ${lastAt - bobAt} ms after bob`);
    // The timeline and the audit log say who was paged.
    const incidents = (await getJson(`${procs[0].url}/api/v1/incidents`)).body.incidents as { id: number; root_system: string; title: string }[];
    const inc = incidents.find((i) => i.root_system === 'esc-a');
    assert.ok(inc, JSON.stringify(incidents));
    const timeline = (await getJson(`${procs[0].url}/api/v1/incidents/${inc!.id}/timeline`)).body.timeline as { kind: string; message: string }[];
    assert.deepEqual(
      timeline.filter((e) => e.kind === 'escalation').map((e) => e.message),
      ['escalation db-page step 1: paged alice (on call for primary) by email', 'escalation db-page step 2: paged bob by email', 'escalation db-page step 3: paged receiver last-resort by webhook'],
    );
    const audit = (await getJson(`${procs[0].url}/api/v1/audit?action=escalation.page`)).body as { actor: string }[];
    assert.equal(audit.filter((r) => JSON.stringify(r).includes('esc-a')).length, 3);
    assert.ok(audit.every((r) => r.actor === 'nines'));
  });

  it('acknowledged after step 2: step 3 never pages', async () => {
    await targets['esc-b'].stop();
    await waitFor('bob paged for esc-b', () => mailsFor('esc-b').length === 2, 40_000);
    const incidents = (await getJson(`${procs[0].url}/api/v1/incidents?state=open&system=esc-b`)).body.incidents as { id: number }[];
    const mine = incidents.map((i) => i.id);
    assert.equal(mine.length, 1, JSON.stringify(incidents));
    assert.equal((await getJson(`${procs[1].url}/api/v1/incidents/${mine[0]}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"by":"bob"}' })).status, 200);
    await sleep(2 * STEP_MS);
    assert.equal(lastResortFor('esc-b').length, 0, 'the acknowledgement stopped the escalation');
    assert.equal(mailsFor('esc-b').length, 2);
  });

  it('a person with rules [sms at once, slack after 3s]: a Twilio text to their number, then a Slack message to their user id, each once', async () => {
    const t0 = Date.now();
    await targets['esc-c'].stop();
    const sms = await waitFor('the text to carol', () => twilio.accepted().find((h) => h.raw.includes('esc-c')), 30_000);
    const dm = await waitFor('the Slack message to carol', () => slack.accepted().find((h) => h.raw.includes('esc-c')), 30_000);
    await sleep(3000); // three replicas dispatch: nothing more may come
    console.log(`carol: sms +${sms.at - t0} ms, slack +${dm.at - t0} ms after the target failed`);
    assert.equal(twilio.accepted().length, 1, 'one text, though three replicas dispatch');
    assert.equal(slack.accepted().length, 1, 'one Slack message');
    assert.match(sms.path, /\/Messages\.json$/);
    assert.deepEqual([sms.body.To, sms.body.From], ['+15550102', '+15550199']);
    assert.match(sms.body.Body, /\[FIRING/);
    assert.equal(sms.headers.authorization, `Basic ${Buffer.from(`${SID}:${CREDS.twilio.authToken}`).toString('base64')}`);
    assert.equal(dm.body.channel, 'U0CAROL', 'chat.postMessage to the user id');
    assert.ok(dm.at - sms.at >= 3000 - 1000, `slack ${dm.at - sms.at} ms after the text`);
    const incidents = (await getJson(`${procs[0].url}/api/v1/incidents?system=esc-c`)).body.incidents as { id: number }[];
    assert.equal(incidents.length, 1, JSON.stringify(incidents));
    const timeline = (await getJson(`${procs[0].url}/api/v1/incidents/${incidents[0].id}/timeline`)).body.timeline as { kind: string; message: string }[];
    assert.deepEqual(
      timeline.filter((e) => e.kind === 'escalation').map((e) => e.message),
      ['escalation carol-page step 1: paged carol by sms', 'escalation carol-page step 1: paged carol by slack'],
    );
  });

  it('acknowledged in Nines: PagerDuty gets acknowledge with the trigger\'s dedup_key and Opsgenie an acknowledge by alias, once each across three replicas', async () => {
    await targets['esc-d'].stop();
    const trigger = await waitFor('the PagerDuty trigger', () => pd.accepted().find((h) => h.body.event_action === 'trigger' && h.raw.includes('esc-d')), 30_000);
    const create = await waitFor('the Opsgenie create', () => og.accepted().find((h) => h.path === '/v2/alerts' && h.raw.includes('esc-d')), 30_000);
    assert.equal(pd.accepted().filter((h) => h.body.event_action === 'acknowledge').length, 0, 'nothing acknowledged before the ack');
    const incidents = (await getJson(`${procs[0].url}/api/v1/incidents?state=open&system=esc-d`)).body.incidents as { id: number }[];
    assert.equal(incidents.length, 1, JSON.stringify(incidents));
    assert.equal((await getJson(`${procs[2].url}/api/v1/incidents/${incidents[0].id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"by":"dave"}' })).status, 200);
    const ack = await waitFor('the PagerDuty acknowledge', () => pd.accepted().find((h) => h.body.event_action === 'acknowledge'), 15_000);
    const ogAck = await waitFor('the Opsgenie acknowledge', () => og.accepted().find((h) => h.path.endsWith('/acknowledge')), 15_000);
    await sleep(3000); // three replicas dispatch every pass: nothing more may come
    assert.equal(ack.body.dedup_key, trigger.body.dedup_key);
    assert.equal(ack.body.routing_key, CREDS.pagerduty.routingKey);
    assert.equal(ogAck.path, `/v2/alerts/${encodeURIComponent(create.body.alias)}/acknowledge`);
    assert.equal(ogAck.query.get('identifierType'), 'alias');
    assert.equal(ogAck.body.user, 'dave');
    assert.equal(pd.accepted().filter((h) => h.body.event_action === 'acknowledge').length, 1, 'one acknowledge at PagerDuty');
    assert.equal(og.accepted().filter((h) => h.path.endsWith('/acknowledge')).length, 1, 'one acknowledge at Opsgenie');
  });
});
