import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { startProviderReceiver, type ProviderHit, type ProviderReceiver } from '../support/servers/provider-receivers';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { startBreakableTarget, startWebhookReceiver, type BreakableTarget, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { getJson, sleep, waitFor } from '../support/wait';

const STEP_MS = 5000;
const SID = 'AC0d3f0123456789abcdef0123456789ab';
const CREDS = { twilio: { accountSid: SID, authToken: 'TwilioAuthTokenOnCallDefs0123456' }, telegram: { botToken: '777777:TelegramOnCallDefsE2E-abcdef', chatIds: ['777', '778'] } };

/**
 * Issue 15, people, schedules and escalation policies made over the API, on three replicas with
 * one PostgreSQL: a person (a phone and a Telegram chat, rules [call and Telegram at once]), a
 * schedule and a policy are made through the API; a config route names the policy. A failing
 * target pages the API-made person by one Twilio call and one Telegram message, checked by the
 * providers' stand-ins (paths, auth, shape), then the policy's last step; an acknowledgement after
 * the first page stops the rest. Config entries are read-only (409), references are checked as the
 * config checks them (400 naming the field), a referred-to entry cannot be deleted (409 naming the
 * referrer), unknown names are 404, and every write is in the audit log with before and after.
 */
describe('on-call people, schedules and policies over the API (three replicas)', () => {
  const dir = tempDir('oncall-defs');
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let hooks: WebhookReceiver;
  let twilio: ProviderReceiver;
  let telegram: ProviderReceiver;
  let procs: NinesProcess[] = [];
  const targets: Record<string, BreakableTarget> = {};

  const api = (i: number, path: string, method = 'GET', body?: unknown) =>
    getJson(`${procs[i].url}/api/v1${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('oncall_defs');
    hooks = await startWebhookReceiver();
    twilio = await startProviderReceiver('twilio', CREDS);
    telegram = await startProviderReceiver('telegram', CREDS);
    for (const n of ['oc-a', 'oc-b']) targets[n] = await startBreakableTarget();
    const config = writeConfig(`
defaults: { interval: 1s, timeout: 700ms }
systems:
${Object.entries(targets).map(([n, t]) => `  - { name: ${n}, layer: service, kind: http, endpoint: { probe: { kind: http, url: "${t.url}" } } }`).join('\n')}
people:
  - { name: alice, telegram: "778" }
schedules:
  - { name: primary, timezone: UTC, layers: [ { rotation: weekly, start: "2026-01-05 00:00", participants: [alice] } ] }
escalation_policies:
  - { name: config-page, steps: [ { notify: { schedule: primary } } ] }
alerting:
  receivers:
    - { name: chat, webhook: { url: "${hooks.url}/chat", allow_private: true } }
    - { name: last-resort, webhook: { url: "${hooks.url}/last-resort", allow_private: true } }
    - { name: phones, twilio: { account_sid: "${SID}", auth_token: "${CREDS.twilio.authToken}", from: "+15550199", url: "${twilio.url}", allow_private: true } }
    - { name: tg, telegram: { bot_token: "${CREDS.telegram.botToken}", chat_id: "778", url: "${telegram.url}", allow_private: true } }
  route: { receiver: chat, group_by: [alertname, system], group_wait: 1s, group_interval: 1s, repeat_interval: 1h, routes: [ { matchers: ['system=~"oc-.*"'], escalation_policy: api-page } ] }
`);
    procs = await Promise.all([0, 1, 2].map(() => startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0` })));
    await waitFor('targets up', async () => (await getJson(`${procs[0].url}/api/v1/targets?state=up`)).body.targets?.length === 2, 30_000);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await hooks?.close();
    await twilio?.close();
    await telegram?.close();
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  const callsTo = (system: string) => twilio.accepted().filter((h) => h.path.endsWith('/Calls.json') && h.raw.includes(system));
  const telegramsAbout = (system: string) => telegram.accepted().filter((h) => h.raw.includes(system));
  const lastResortFor = (system: string) => hooks.hitsOn('/last-resort').filter((h) => JSON.stringify(h.json).includes(`"system":"${system}"`));

  it('makes a person, a schedule and a policy through one replica; the others read them within the cache second', async () => {
    // Before the policy exists, the route naming it is said to reach its receiver only (the config cannot check an API name).
    await waitFor('the missing policy said in the log', () => procs.some((p) => p.logs().includes('escalation policy \\"api-page\\", which is neither in the config nor made through the API')), 10_000);
    const dora = { name: 'dora', phone: '+15550177', telegram: '777', notification_rules: [{ after: '0s', via: ['phone', 'telegram'] }], via: { phone: 'phones', telegram: 'tg' } };
    const p = await api(0, '/people', 'POST', dora);
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(p.body.source, 'api');
    assert.equal(p.body.created_by, 'anonymous');
    const s = await api(0, '/schedules', 'POST', { name: 'api-rota', timezone: 'UTC', layers: [{ rotation: 'daily', start: '2026-01-05 00:00', participants: ['dora'] }] });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.deepEqual(s.body.overrides, [], 'the config schema default filled in');
    const pol = await api(0, '/escalation-policies', 'POST', { name: 'api-page', steps: [{ notify: { schedule: 'api-rota' }, after: `${STEP_MS}ms` }, { notify: { receiver: 'last-resort' }, after: `${STEP_MS}ms` }] });
    assert.equal(pol.status, 201, JSON.stringify(pol.body));
    // Another replica: the list (config and API, each with its source), now, one entry.
    const people = await waitFor('replica 2 lists dora', async () => {
      const r = await api(2, '/people');
      return r.body.people.some((x: { name: string }) => x.name === 'dora') && r.body.people;
    }, 5000);
    assert.deepEqual(people.map((x: { name: string; source: string }) => `${x.name}:${x.source}`), ['alice:config', 'dora:api']);
    await waitFor('replica 1 says dora is on call for api-rota', async () => (await api(1, '/oncall/now?schedule=api-rota')).body.now?.person === 'dora', 5000);
    const policy = await waitFor('replica 1 reads api-page', async () => {
      const r = await api(1, '/escalation-policies/api-page');
      return r.status === 200 && r.body;
    }, 5000);
    assert.equal(policy.steps[1].notify.receiver, 'last-resort');
    assert.equal((await api(1, '/escalation-policies/config-page')).body.source, 'config');
    assert.equal((await api(1, '/schedules')).body.schedules.length, 2);
  });

  it('nobody acknowledges: the API-made person gets one Twilio call and one Telegram message, then the last step, once each across three replicas', async () => {
    const t0 = Date.now();
    await targets['oc-a'].stop();
    const call = await waitFor('the call to dora', () => callsTo('oc-a')[0], 40_000);
    const tg = await waitFor('the Telegram message to dora', () => telegramsAbout('oc-a')[0], 40_000);
    await waitFor('the last-resort receiver paged', () => lastResortFor('oc-a').length > 0, 40_000);
    await sleep(2 * STEP_MS); // two steps, no repeat: nothing more may come
    console.log(`oc-a: call +${call.at - t0} ms, telegram +${tg.at - t0} ms, last resort +${lastResortFor('oc-a')[0].at - t0} ms after the target failed`);
    assert.equal(callsTo('oc-a').length, 1, 'one call, though three replicas dispatch');
    assert.equal(telegramsAbout('oc-a').length, 1, 'one Telegram message');
    assert.equal(lastResortFor('oc-a').length, 1, 'the last step once');
    assert.equal(twilio.accepted().filter((h) => h.path.endsWith('/Messages.json')).length, 0, 'no text: the rule says call and Telegram');
    assert.equal(twilio.hits.length, twilio.accepted().length, `every Twilio request well formed: ${twilio.hits.filter((h) => !h.accepted).map((h) => JSON.stringify(h.answer)).join(' ')}`);
    assert.equal(telegram.hits.length, telegram.accepted().length, `every Telegram request well formed: ${telegram.hits.filter((h) => !h.accepted).map((h) => JSON.stringify(h.answer)).join(' ')}`);
    assertCall(call);
    assert.equal(tg.path, `/bot${CREDS.telegram.botToken}/sendMessage`);
    assert.equal(tg.body.chat_id, '777', "the person's own chat, through the tg receiver's bot");
    assert.match(tg.body.text, /FIRING/);
    const incident = (await api(1, '/incidents?system=oc-a')).body.incidents[0];
    const timeline = (await api(2, `/incidents/${incident.id}/timeline`)).body.timeline as { kind: string; message: string }[];
    assert.deepEqual(
      timeline.filter((e) => e.kind === 'escalation').map((e) => e.message),
      ['escalation api-page step 1: paged dora (on call for api-rota) by phone, telegram', 'escalation api-page step 2: paged receiver last-resort by webhook'],
    );
  });

  it('acknowledged after the first page: one call and one Telegram message, and the last step never pages', async () => {
    await targets['oc-b'].stop();
    await waitFor('dora paged for oc-b', () => callsTo('oc-b').length === 1 && telegramsAbout('oc-b').length === 1, 40_000);
    const incidents = (await api(0, '/incidents?state=open&system=oc-b')).body.incidents as { id: number }[];
    assert.equal(incidents.length, 1, JSON.stringify(incidents));
    assert.equal((await api(1, `/incidents/${incidents[0].id}/ack`, 'POST', { by: 'dora' })).status, 200);
    await sleep(2 * STEP_MS + 2000);
    assert.equal(lastResortFor('oc-b').length, 0, 'the acknowledgement stopped the escalation');
    assert.equal(callsTo('oc-b').length, 1, 'one call');
    assert.equal(telegramsAbout('oc-b').length, 1, 'one Telegram message');
    assertCall(callsTo('oc-b')[0]);
  });

  it('config entries are read-only, a name cannot be in both, bad input is a 400 naming the field, unknown names 404', async () => {
    const conflict = async (r: Promise<{ status: number; body: any }>, re: RegExp) => {
      const x = await r;
      assert.equal(x.status, 409, JSON.stringify(x.body));
      assert.match(x.body.error.message, re);
    };
    await conflict(api(0, '/people', 'POST', { name: 'alice', telegram: '1' }), /person "alice" is defined in the config file/);
    await conflict(api(0, '/people/alice', 'PUT', { telegram: '1' }), /defined in the config file and cannot be changed/);
    await conflict(api(0, '/schedules/primary', 'DELETE'), /schedule "primary" is defined in the config file and cannot be deleted/);
    await conflict(api(0, '/escalation-policies/config-page', 'PUT', { steps: [{ notify: { person: 'alice' } }] }), /config file/);
    await conflict(api(1, '/people', 'POST', { name: 'dora', telegram: '1' }), /person "dora" already exists/);

    const field = async (r: Promise<{ status: number; body: any }>, f: string, re: RegExp) => {
      const x = await r;
      assert.equal(x.status, 400, JSON.stringify(x.body));
      assert.equal(x.body.error.details.field, f, JSON.stringify(x.body));
      assert.match(x.body.error.message, re);
    };
    await field(api(0, '/people', 'POST', { name: 'erin', phone: '555-0100' }), 'phone', /E\.164/);
    await field(api(0, '/people', 'POST', { name: 'erin', telegram: '9', via: { telegram: 'phones' } }), 'via.telegram', /has no telegram settings/);
    await field(api(0, '/people', 'POST', { name: 'erin', pager: 'x' }), 'pager', /unknown field/);
    await field(api(0, '/people', 'POST', [1, 2]), '(root)', /must be a mapping/);
    await field(api(0, '/schedules', 'POST', { name: 's2', layers: [{ rotation: 'daily', handoff: 'mon 09:00', start: '2026-01-05 00:00', participants: ['dora'] }] }), 'layers[0].handoff', /needs rotation: weekly/);
    await field(api(0, '/schedules', 'POST', { name: 's2', timezone: 'Mars/Olympus', layers: [{ rotation: 'daily', start: '2026-01-05 00:00', participants: ['dora'] }] }), 'timezone', /time zone/);
    await field(api(0, '/schedules', 'POST', { name: 's2', layers: [{ rotation: 'daily', start: '2026-01-05 00:00', participants: ['zed'] }] }), 'layers[0].participants[0]', /unknown person "zed"/);
    await field(api(0, '/escalation-policies', 'POST', { name: 'p2', steps: [{ notify: { schedule: 'nope' } }] }), 'steps[0].notify.schedule', /unknown schedule "nope"/);
    await field(api(0, '/escalation-policies', 'POST', { name: 'p2', steps: [{ notify: { receiver: 'last-resort', person: 'dora' } }] }), 'steps[0].notify', /exactly one/);
    await field(api(0, '/people/dora', 'PUT', { name: 'dorothy', telegram: '777' }), 'name', /the name in the path/);

    for (const [method, path] of [['GET', '/people/nobody'], ['PUT', '/people/nobody'], ['DELETE', '/people/nobody'], ['GET', '/escalation-policies/nope'], ['DELETE', '/escalation-policies/nope'], ['PUT', '/schedules/nope'], ['DELETE', '/schedules/nope']] as const) {
      const r = await api(0, path, method, method === 'PUT' ? { telegram: '1' } : undefined);
      assert.equal(r.status, 404, `${method} ${path}: ${JSON.stringify(r.body)}`);
    }
    const none = await api(0, '/people');
    assert.deepEqual(none.body.people.map((p: { name: string }) => p.name), ['alice', 'dora'], 'nothing refused was stored');
  });

  it('an entry still named elsewhere cannot be deleted (409 naming who names it); updates and deletes are audited with before and after', async () => {
    const refused = async (path: string, re: RegExp) => {
      const r = await api(0, path, 'DELETE');
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.match(r.body.error.message, re);
    };
    await refused('/schedules/api-rota', /schedule "api-rota" is still named by escalation policy "api-page" \(steps\[0\]\.notify\.schedule\)/);
    await refused('/people/dora', /person "dora" is still named by schedule "api-rota"/);
    await refused('/escalation-policies/api-page', /still named by route alerting\.route\.routes\[0\] \(config\)/);

    const put = await api(0, '/people/dora', 'PUT', { phone: '+15550178', telegram: '777', notification_rules: [{ after: '0s', via: ['phone', 'telegram'] }], via: { phone: 'phones', telegram: 'tg' } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.phone, '+15550178');
    await waitFor('replica 2 sees the new number', async () => (await api(2, '/people/dora')).body.phone === '+15550178', 5000);

    // A person nobody names goes (once the schedule naming her, and its shift swap, went); then the audit log has each write.
    assert.equal((await api(1, '/people', 'POST', { name: 'erin', telegram: '9' })).status, 201);
    assert.equal((await api(1, '/schedules', 'POST', { name: 'tmp-rota', layers: [{ rotation: 'daily', start: '2026-01-05 00:00', participants: ['dora'] }] })).status, 201);
    const swap = await api(1, '/schedules/tmp-rota/overrides', 'POST', { person: 'erin', from: new Date(Date.now() + 3_600_000).toISOString(), until: new Date(Date.now() + 7_200_000).toISOString() });
    assert.equal(swap.status, 201, JSON.stringify(swap.body));
    await refused('/people/erin', new RegExp(`person "erin" is still named by override ${swap.body.id} of schedule "tmp-rota"`));
    assert.equal((await api(0, '/schedules/tmp-rota', 'DELETE')).status, 200);
    const gone = (await api(0, '/audit?action=schedule.delete')).body[0];
    assert.deepEqual([gone.target, gone.before.api_overrides_ended, gone.after], ['tmp-rota', [swap.body.id], null], 'the schedule\'s shift swaps ended with it');
    const del = await api(2, '/people/erin', 'DELETE');
    assert.equal(del.status, 200, JSON.stringify(del.body));
    // Deleted through replica 2; replica 0 reads through its 1 s cache.
    await waitFor('replica 0 no longer has erin', async () => (await api(0, '/people/erin')).status === 404, 5000);
    const audit = (await api(0, '/audit?action=person.')).body as { action: string; target: string; before: any; after: any }[];
    assert.deepEqual(audit.map((a) => `${a.action} ${a.target}`), ['person.delete erin', 'person.create erin', 'person.update dora', 'person.create dora']);
    const update = audit.find((a) => a.action === 'person.update')!;
    assert.equal(update.before.phone, '+15550177');
    assert.equal(update.after.phone, '+15550178');
    assert.deepEqual(audit[0].before, { name: 'erin', telegram: '9' });
    assert.equal(audit[0].after, null);
    const others = (await api(0, '/audit?limit=1000')).body as { action: string }[];
    assert.deepEqual(new Set(others.filter((a) => /^(schedule|escalation_policy)\.(create|update|delete)$/.test(a.action)).map((a) => a.action)), new Set(['schedule.create', 'schedule.delete', 'escalation_policy.create']));
  });

  it('no credential of the receivers an API-made person is paged through shows in the logs or the API', async () => {
    const secrets = [CREDS.twilio.authToken, CREDS.telegram.botToken, Buffer.from(`${SID}:${CREDS.twilio.authToken}`).toString('base64')];
    const outputs = [
      ...procs.map((p, i) => [`replica ${i} log`, p.logs()]),
      ...(await Promise.all(['/people', '/people/dora', '/schedules', '/escalation-policies', '/notifications?limit=1000', '/audit?limit=1000'].map(async (p) => [p, JSON.stringify((await api(0, p)).body)]))),
    ];
    for (const [where, text] of outputs) for (const s of secrets) assert.ok(!text.includes(s), `${where} leaks ${s.slice(0, 8)}…`);
  });
});

function assertCall(call: ProviderHit): void {
  assert.equal(call.path, `/2010-04-01/Accounts/${SID}/Calls.json`);
  assert.equal(call.headers.authorization, `Basic ${Buffer.from(`${SID}:${CREDS.twilio.authToken}`).toString('base64')}`);
  assert.deepEqual([call.body.To, call.body.From], ['+15550177', '+15550199']);
  assert.match(call.body.Twiml, /^<Response><Say>Nines alert\./);
}
