import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { Client } from 'pg';
import pino from 'pino';
import { NotificationQueue } from '../../apps/nines/src/delivery/notification-queue';
import { RedisConnections } from '../../apps/nines/src/runtime/redis';
import { freshDatabase } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startSmtpSink, type SmtpSink } from '../support/servers/smtp-sink';
import { redisCli, startRedis, type RedisNode } from '../support/servers/redis-ha';
import { freePort, tempDir } from '../support/servers/spawned';
import { certValidBetween } from '../support/servers/tls-cert';
import { startBreakableTarget, startWebhookReceiver, type BreakableTarget, type WebhookHit, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { getJson, getText, parseMetrics, sleep, waitFor } from '../support/wait';

/**
 * Alert delivery end to end: real Nines processes probe local HTTP targets the tests break; alerts
 * go through the PostgreSQL outbox and BullMQ to a real SMTP server (smtp-server, mails parsed
 * with mailparser) and a real HTTP receiver that verifies Standard Webhooks signatures.
 * "Arrives" bounds are generous on purpose: these tests check what arrives, not how fast.
 */
const ARRIVES = 45_000;
const WEBHOOK_SECRET = `whsec_${Buffer.from('delivery-test-webhook-key-0123456789').toString('base64')}`;
const HOOK_USER = 'hookuser';
const HOOK_PASS = 'Hook-Pa55-9f3e2d1c';
const SMTP_USER = 'nines';
const SMTP_PASS = 'Smtp-Pa55-7a6b5c4d';
const ACK_SECRET = 'delivery-ack-secret-5e4d3c2b1a';

interface NotificationJson {
  id: string;
  receiver: string;
  channel: string;
  state: string;
  attempts: number;
  last_error: string | null;
  status: string;
}

async function sql2(url: string, query: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(query)).rows[0].n);
  } finally {
    await c.end();
  }
}

const mailId = (m: ParsedMail) => String(m.headers.get('x-nines-notification') ?? '');
const distinct = <T>(xs: T[]) => [...new Set(xs)];

async function notificationsOf(nines: NinesProcess, receiver: string, state?: string): Promise<NotificationJson[]> {
  const r = await getJson<{ notifications: NotificationJson[] }>(`${nines.url}/api/v1/notifications?receiver=${receiver}${state ? `&state=${state}` : ''}&limit=1000`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.notifications;
}

async function targetsUp(nines: NinesProcess, n: number): Promise<void> {
  await waitFor(`${n} targets up`, async () => {
    const r = await getJson<{ targets: unknown[] }>(`${nines.url}/api/v1/targets?state=up`);
    return r.body.targets?.length === n;
  }, 30_000);
}

describe('alert delivery: email and webhooks from a real nines process', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let nines: NinesProcess;
  let smtp: SmtpSink;
  let hooks: WebhookReceiver;
  const targets: Record<string, BreakableTarget> = {};
  // Every REDIS_DBS index is taken: this file brings its own redis-server.
  let redis: RedisNode;
  let redisDir: { path: string; remove(): void };
  let redisPort: number;

  before(async () => {
    redisDir = tempDir('delivery');
    redisPort = await freePort();
    redis = await startRedis(redisDir.path, { port: redisPort });
    db = await freshDatabase('delivery');
    smtp = await startSmtpSink({ user: SMTP_USER, pass: SMTP_PASS, tls: certValidBetween(-1, 30) });
    hooks = await startWebhookReceiver({ '/shop': WEBHOOK_SECRET, '/flaky': WEBHOOK_SECRET, '/hang': WEBHOOK_SECRET, '/fast': WEBHOOK_SECRET });
    for (const name of ['shop', 'flaky', 'bad', 'limited', 'hang', 'mail', 'quiet']) targets[name] = await startBreakableTarget();
    const hook = (path: string, extra = '') => `{ url: "http://${HOOK_USER}:${HOOK_PASS}@127.0.0.1:${hooks.port}${path}", allow_private: true${extra} }`;
    const check = (name: string) => `  - name: ${name}-check\n    probe: { kind: http, url: "${targets[name].url}" }\n    labels: { case: ${name} }`;
    const config = writeConfig(`
defaults: { interval: 1s, timeout: 3s, failure_threshold: 2 }
systems:
  - name: shop
    layer: service
    kind: http
    endpoint:
      probe: { kind: http, url: "${targets.shop.url}" }
targets:
${['flaky', 'bad', 'limited', 'hang', 'mail', 'quiet'].map(check).join('\n')}
alerting:
  external_url: https://nines.example.com
  ack_secret: "${ACK_SECRET}"
  receivers:
    - name: shop
      email: { to: [oncall@example.com] }
      webhook: ${hook('/shop', `, format: standard, secret: "${WEBHOOK_SECRET}"`)}
    - name: flaky
      webhook: ${hook('/flaky', `, secret: "${WEBHOOK_SECRET}"`)}
    - name: bad
      webhook: ${hook('/bad', ', format: alertmanager')}
    - name: limited
      webhook: ${hook('/limited', ', format: slack')}
    - name: hanging
      webhook: ${hook('/hang', `, secret: "${WEBHOOK_SECRET}", timeout: 60s`)}
    - name: fast
      webhook: ${hook('/fast', `, secret: "${WEBHOOK_SECRET}"`)}
    - name: mailonly
      email: { to: [mail@example.com] }
    - name: quiet
      webhook: ${hook('/quiet')}
    - name: default
      webhook: ${hook('/default')}
  route:
    receiver: default
    group_by: [alertname, system, target]
    group_wait: 0s
    group_interval: 1s
    repeat_interval: 1h
    routes:
      - { matchers: ['system="shop"'], receiver: shop }
      - { matchers: ['case="flaky"'], receiver: flaky }
      - { matchers: ['case="bad"'], receiver: bad }
      - { matchers: ['case="limited"'], receiver: limited }
      - { matchers: ['case="hang"'], receiver: hanging, continue: true }
      - { matchers: ['case="hang"'], receiver: fast }
      - { matchers: ['case="mail"'], receiver: mailonly }
      - { matchers: ['case="quiet"'], receiver: quiet }
smtp: { url: "smtp://127.0.0.1:${smtp.port}", from: "nines@example.com", starttls: required, tls_verify: false, username: ${SMTP_USER}, password: "${SMTP_PASS}" }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redisPort}` });
    await targetsUp(nines, 7);
  });

  after(async () => {
    hooks?.release();
    if (process.env.NINES_TEST_LOGS) require('node:fs').writeFileSync(`${process.env.NINES_TEST_LOGS}/delivery.log`, nines?.logs() ?? '');
    await nines?.stop();
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await hooks?.close();
    await smtp?.close();
    await redis?.kill();
    redisDir?.remove();
    await db?.drop();
  });

  it('a system goes down and comes back: firing and resolved arrive by email and signed webhook, with ack and incident links', async () => {
    await targets.shop.stop();
    const firingMail = await waitFor('the firing mail', () => smtp.mails.find((m) => m.to && JSON.stringify(m.to).includes('oncall@example.com') && /FIRING/.test(m.subject ?? '')), ARRIVES);
    const firingHook = await waitFor('the firing webhook', () => hooks.hitsOn('/shop').find((h) => h.json?.status === 'firing'), ARRIVES);

    // Email: subject, both bodies, links.
    assert.match(firingMail.subject ?? '', /^\[Nines\] FIRING 1 (shop SystemDown|SystemDown shop): shop: unreachable for users for /);
    assert.equal((firingMail.from?.value ?? [])[0]?.address, 'nines@example.com');
    assert.match(firingMail.text ?? '', /SystemDown \(page\): shop: unreachable for users for \S+ \(/);
    assert.ok(typeof firingMail.html === 'string' && firingMail.html.includes('width=device-width'));
    const ackLink = /Acknowledge: (https:\/\/nines\.example\.com\/api\/v1\/ack\/\S+)/.exec(firingMail.text ?? '')?.[1];
    const incidentLink = /Incident: (https:\/\/nines\.example\.com\/incidents\/(\d+))/.exec(firingMail.text ?? '');
    assert.ok(ackLink, `ack link in the text part:\n${firingMail.text}`);
    assert.ok(incidentLink, `incident link in the text part:\n${firingMail.text}`);
    assert.ok((firingMail.html as string).includes(`href="${ackLink}"`), 'ack link in the HTML part');
    assert.ok((firingMail.html as string).includes(`href="${incidentLink[1]}"`), 'incident link in the HTML part');
    assert.deepEqual(smtp.logins.at(-1), { user: SMTP_USER, pass: SMTP_PASS }, 'SMTP auth used');

    // Webhook: signature, basic auth from the URL, stable schema, the same links.
    assert.equal(firingHook.signature, 'ok');
    assert.equal(firingHook.headers.authorization, `Basic ${Buffer.from(`${HOOK_USER}:${HOOK_PASS}`).toString('base64')}`);
    assert.equal(firingHook.json.schema, 'nines.notification.v1');
    assert.equal(firingHook.json.id, firingHook.headers['webhook-id']);
    assert.equal(firingHook.json.ack_url, ackLink);
    assert.equal(firingHook.json.incident_url, incidentLink[1]);
    assert.equal(firingHook.json.alerts[0].labels.alertname, 'SystemDown');

    // The incident link names a real incident; the ack page is a form, and POSTing acknowledges.
    const incidentId = Number(incidentLink[2]);
    const inc = await getJson(`${nines.url}/api/v1/incidents/${incidentId}`);
    assert.equal(inc.status, 200);
    assert.equal(inc.body.root_system, 'shop');
    const ackPath = new URL(ackLink).pathname;
    const page = await getText(`${nines.url}${ackPath}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<form method="post"/);
    assert.equal((await getJson(`${nines.url}/api/v1/incidents/${incidentId}`)).body.acknowledged_at ?? null, null, 'fetching the link acknowledges nothing');
    const ack = await getJson(`${nines.url}${ackPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'alice' }) });
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    assert.deepEqual(ack.body, { incident: incidentId, acknowledged: true, already_acknowledged: false });
    assert.ok((await getJson(`${nines.url}/api/v1/incidents/${incidentId}`)).body.acknowledged_at);
    const forged = await getJson(`${nines.url}${ackPath.replace(/\.[^.]+$/, '.' + 'A'.repeat(43))}`, { method: 'POST' });
    assert.equal(forged.status, 404);

    await targets.shop.start();
    const resolvedMail = await waitFor('the resolved mail', () => smtp.mails.find((m) => /RESOLVED/.test(m.subject ?? '') && JSON.stringify(m.to).includes('oncall@')), ARRIVES);
    assert.match(resolvedMail.subject ?? '', /^\[Nines\] RESOLVED (shop SystemDown|SystemDown shop): /);
    assert.match(resolvedMail.text ?? '', /Resolved:\n/);
    const resolvedHook = await waitFor('the resolved webhook', () => hooks.hitsOn('/shop').find((h) => h.json?.status === 'resolved'), ARRIVES);
    assert.equal(resolvedHook.signature, 'ok');
    assert.ok(resolvedHook.json.alerts[0].ends_at);
    assert.notEqual(resolvedHook.headers['webhook-id'], firingHook.headers['webhook-id']);
    // Exactly one of each: nothing repeated, nothing doubled.
    await sleep(2000);
    assert.deepEqual(smtp.mails.filter((m) => JSON.stringify(m.to).includes('oncall@')).map((m) => (/FIRING|RESOLVED/.exec(m.subject ?? '') ?? [''])[0]), ['FIRING', 'RESOLVED']);
    assert.deepEqual(hooks.hitsOn('/shop').map((h) => h.json.status), ['firing', 'resolved']);
  });

  it('a receiver answering 500 then 200 gets the notification on the second attempt, with the same webhook-id', async () => {
    const before = hooks.hitsOn('/flaky').length;
    hooks.answer('/flaky', (n, hit) =>
      n === 0 ? { status: 500, body: `upstream broken; you sent ${hit.headers.authorization} (${Buffer.from(String(hit.headers.authorization).split(' ')[1] ?? '', 'base64').toString()})` } : { status: 200 },
    );
    await targets.flaky.stop();
    const sent = await waitFor('delivered to flaky', async () => (await notificationsOf(nines, 'flaky', 'sent'))[0], ARRIVES);
    assert.equal(sent.attempts, 2);
    assert.equal(sent.last_error, null);
    const hits = hooks.hitsOn('/flaky').slice(before);
    assert.equal(before, 0, 'nothing reached flaky before its target broke');
    assert.equal(hits.length, 2);
    assert.equal(distinct(hits.map((h) => h.headers['webhook-id'])).length, 1, 'webhook-id stable across the retry');
    assert.ok(hits.every((h) => h.signature === 'ok'));
    const m = parseMetrics((await getText(`${nines.url}/metrics`)).text);
    const of = (outcome: string) => m.find((s) => s.name === 'nines_notifications_total' && s.labels.receiver === 'flaky' && s.labels.outcome === outcome)?.value;
    assert.equal(of('failed'), 1);
    assert.equal(of('sent'), 1);
  });

  it('a receiver answering 400 is dead-lettered after one request: visible in the API and the metrics, no retry storm', async () => {
    hooks.answer('/bad', (_n, hit) => ({ status: 400, body: `unknown field "version" (request from ${hit.headers.authorization})` }));
    await targets.bad.stop();
    const dead = await waitFor('a dead notification for bad', async () => (await notificationsOf(nines, 'bad', 'dead'))[0], ARRIVES);
    assert.equal(dead.attempts, 1);
    assert.match(dead.last_error ?? '', /answered 400: unknown field "version" \(request from Basic \*\*\*\)/);
    const all = await getJson<{ notifications: NotificationJson[] }>(`${nines.url}/api/v1/notifications?state=dead`);
    assert.ok(all.body.notifications.some((n) => n.id === dead.id));
    await waitFor('nines_notifications_total{receiver="bad",outcome="dead"} 1', async () => {
      const m = parseMetrics((await getText(`${nines.url}/metrics`)).text);
      return m.find((s) => s.name === 'nines_notifications_total' && s.labels.receiver === 'bad' && s.labels.outcome === 'dead')?.value === 1;
    });
    // Alertmanager v4 format was what got refused.
    assert.equal(hooks.hitsOn('/bad')[0].json.version, '4');
    await sleep(5000); // past two relay rounds and the first backoffs
    assert.equal(hooks.hitsOn('/bad').length, 1, 'exactly one request');
    assert.equal((await notificationsOf(nines, 'bad', 'dead')).length, 1);
  });

  it('429 with Retry-After: 2 is retried no sooner than the receiver asked', async () => {
    hooks.answer('/limited', (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    await targets.limited.stop();
    const sent = await waitFor('delivered to limited', async () => (await notificationsOf(nines, 'limited', 'sent'))[0], ARRIVES);
    assert.equal(sent.attempts, 2);
    const [first, second] = hooks.hitsOn('/limited');
    assert.ok(second.at - first.at >= 1900, `retried after ${second.at - first.at}ms`);
    assert.match(second.json.text, /^:rotating_light: 1 firing/);
  });

  it('a receiver that never answers does not hold up another receiver of the same alert', async () => {
    hooks.answer('/hang', () => 'hang');
    await targets.hang.stop();
    const fast = await waitFor('the fast receiver served', () => hooks.hitsOn('/fast')[0], ARRIVES);
    const hanging = hooks.hitsOn('/hang');
    assert.ok(hanging.length >= 1, 'the hanging receiver was called too');
    assert.ok(hanging[0].answered === undefined || hanging[0].answered > fast.at, 'served while the other request still hung');
    assert.equal(fast.signature, 'ok');
    // Let the hanging receiver recover so it does not linger into the next tests.
    hooks.answer('/hang', () => ({ status: 200 }));
    hooks.release(503);
  });

  it('a hanging receiver with a backlog larger than the worker takes at once holds its own lane only: another receiver is served', async () => {
    // 150 notifications for the hanging receiver queued ahead of one for another receiver: more
    // than the worker's old 64 slots, so without lanes the other one would wait for the 60s timeout.
    hooks.answer('/hang', () => 'hang');
    const hangBefore = hooks.hitsOn('/hang').length;
    const run = Math.random().toString(36).slice(2, 8);
    const backlog = Array.from({ length: 150 }, (_, i) => `n-backlog-${run}-${i}-webhook`);
    const probe = `n-backlog-${run}-other-webhook`;
    const payload = (id: string, receiver: string) => ({
      id, kind: 'alerts', receiver, status: 'firing', groupKey: `backlog:${id}`, groupLabels: {}, commonLabels: { alertname: 'Backlog' }, commonAnnotations: {},
      alerts: [{ fingerprint: id, status: 'firing', labels: { alertname: 'Backlog' }, annotations: { summary: `backlog ${id}` }, startsAt: new Date().toISOString() }],
      externalUrl: 'https://nines.example.com',
    });
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    const queue = new NotificationQueue(new RedisConnections({ kind: 'url', url: `redis://127.0.0.1:${redisPort}` }, 'test'), pino({ level: 'silent' }));
    try {
      for (const [ids, receiver] of [[backlog, 'hanging'], [[probe], 'fast']] as const)
        await sql.query(
          `insert into notifications (id, group_key, receiver, channel, kind, payload, state, first_alert_at)
           select id, payload->>'groupKey', $2, 'webhook', 'alerts', payload, 'pending', now() from unnest($1::text[], $3::jsonb[]) as u(id, payload)`,
          [ids, receiver, ids.map((id) => JSON.stringify(payload(id, receiver)))],
        );
      assert.ok(await queue.enqueue(backlog));
      assert.ok(await queue.enqueue([probe]));
      const served = await waitFor('the other receiver served past the backlog', () => hooks.hitsOn('/fast').find((h) => h.headers['webhook-id'] === probe), 20_000);
      assert.equal(served.signature, 'ok');
      const hanging = hooks.hitsOn('/hang').slice(hangBefore);
      const open = hanging.filter((h) => h.answered === undefined).length;
      assert.ok(open >= 1, 'the hanging receiver was being called meanwhile');
      assert.ok(open <= 32, `at most a lane's worth of requests to the hanging receiver at once (${open})`);
    } finally {
      hooks.answer('/hang', () => ({ status: 200 }));
      hooks.release(200);
      await queue.onApplicationShutdown();
      await sql.end();
    }
    // The backlog drains once the receiver answers; each notification is sent once.
    await waitFor('the backlog delivered', async () => (await sql2(db.url, `select count(*)::int as n from notifications where id like 'n-backlog-${run}-%' and state = 'sent'`)) === 151, 90_000);
    const ids = hooks.hitsOn('/hang').slice(hangBefore).map((h) => String(h.headers['webhook-id']));
    assert.equal(new Set(ids.filter((id) => id.startsWith(`n-backlog-${run}-`))).size, 150, 'every backlog notification reached the receiver');
  });

  it('SMTP down for a while (then refusing logins): the mail is delivered once it is back, exactly once', async () => {
    await smtp.stop();
    await targets.mail.stop();
    const failing = await waitFor('mail delivery failing', async () => (await notificationsOf(nines, 'mailonly')).find((n) => n.state === 'failed' && n.attempts >= 2), ARRIVES);
    assert.match(failing.last_error ?? '', /ECONNREFUSED|ECONNECTION|connect/i);
    smtp.refuseLogins(1);
    await smtp.start();
    const mail = await waitFor('the mail after SMTP came back', () => smtp.mails.find((m) => JSON.stringify(m.to).includes('mail@example.com')), ARRIVES);
    assert.equal(mailId(mail), failing.id);
    assert.match(mail.subject ?? '', /^\[Nines\] FIRING 1 (mail-check TargetDown|TargetDown mail-check): mail-check down for /);
    const sent = await waitFor('marked sent', async () => (await notificationsOf(nines, 'mailonly', 'sent'))[0], ARRIVES);
    assert.ok(sent.attempts >= 3, `attempts ${sent.attempts}`);
    await sleep(3000);
    assert.equal(smtp.mails.filter((m) => mailId(m) === failing.id).length, 1, 'delivered exactly once');
  });

  it('a silence created by API is respected at once; expiring it lets the still-firing alert through', async () => {
    const created = await getJson(`${nines.url}/api/v1/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['case="quiet"'], ends_at: new Date(Date.now() + 3_600_000).toISOString(), created_by: 'test', comment: 'planned maintenance' }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await targets.quiet.stop();
    await waitFor('the alert firing', async () => (await getJson(`${nines.url}/api/v1/alerts?state=firing&alertname=TargetDown`)).body.alerts.some((a: { labels: Record<string, string> }) => a.labels.case === 'quiet'), ARRIVES);
    await sleep(3000); // several dispatcher rounds
    assert.equal(hooks.hitsOn('/quiet').length, 0, 'silenced: nothing sent');
    assert.deepEqual(await notificationsOf(nines, 'quiet'), []);
    const expired = await getJson(`${nines.url}/api/v1/silences/${created.body.id}`, { method: 'DELETE' });
    assert.equal(expired.status, 200, JSON.stringify(expired.body));
    const hit = await waitFor('the alert after the silence ended', () => hooks.hitsOn('/quiet')[0], ARRIVES);
    assert.equal(hit.json.status, 'firing');
    await sleep(2000);
    assert.equal(hooks.hitsOn('/quiet').length, 1);
  });

  it('secrets (webhook secret, basic auth in webhook URLs, SMTP password) never appear in logs, API output or metrics', async () => {
    // The failures above produced errors from receivers that echoed credentials back.
    const echoed = hooks.hitsOn('/flaky')[0];
    assert.ok(echoed && smtp.logins.some((l) => l.pass === SMTP_PASS), 'the tests above exercised the credentials');
    const basic = Buffer.from(`${HOOK_USER}:${HOOK_PASS}`).toString('base64');
    const secrets = [WEBHOOK_SECRET, WEBHOOK_SECRET.slice(6), HOOK_PASS, encodeURIComponent(HOOK_PASS), basic, SMTP_PASS, ACK_SECRET];
    const outputs: Record<string, string> = {
      logs: nines.logs(),
      notifications: (await getText(`${nines.url}/api/v1/notifications?limit=1000`)).text,
      dead: (await getText(`${nines.url}/api/v1/notifications?state=dead`)).text,
      alerts: (await getText(`${nines.url}/api/v1/alerts`)).text,
      history: (await getText(`${nines.url}/api/v1/alerts/history`)).text,
      incidents: (await getText(`${nines.url}/api/v1/incidents`)).text,
      metrics: (await getText(`${nines.url}/metrics`)).text,
      openmetrics: (await getText(`${nines.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } })).text,
    };
    for (const [where, text] of Object.entries(outputs)) for (const s of secrets) assert.ok(!text.includes(s), `${where} contains the secret ${s.slice(0, 4)}…`);
    // And the errors are still there, just masked.
    assert.match(outputs.dead, /answered 400: unknown field/);
    assert.match(outputs.logs, /answered 500: upstream broken; you sent Basic \*\*\* \(hookuser:\*\*\*\)/);
    assert.match(outputs.logs, /454|Temporary authentication failure/);
  });
});

/** One redis-cli command, its answer trimmed. */
const redisCliAnswer = async (port: number, ...args: string[]) => (await redisCli(port, args)).trim();

/**
 * Roles split over processes (api+prober in one, worker in another) with a private Redis, so the
 * queue can be lost and the worker killed without touching any other test.
 */
async function splitRoles(name: string, receiverPath: string) {
  const db = await freshDatabase(name);
  const dir = tempDir(name);
  const redisPort = await freePort();
  // A fixed port with no persistence: killing it loses every queued job.
  let redis = await startRedis(dir.path, { port: redisPort });
  const hooks = await startWebhookReceiver({ [receiverPath]: WEBHOOK_SECRET });
  const target = await startBreakableTarget();
  const configPath = writeConfig(`
defaults: { interval: 1s, timeout: 3s, failure_threshold: 2 }
targets:
  - name: web
    probe: { kind: http, url: "${target.url}" }
alerting:
  receivers:
    - name: hook
      webhook: { url: "http://127.0.0.1:${hooks.port}${receiverPath}", secret: "${WEBHOOK_SECRET}", allow_private: true }
  route: { receiver: hook, group_by: [alertname, target], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
`);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const procs: NinesProcess[] = [];
  const sql = new Client({ connectionString: db.url });
  const env = {
    db,
    hooks,
    target,
    redisPort,
    sql,
    procs,
    start: async (roles: string) => {
      const p = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl, roles });
      procs.push(p);
      return p;
    },
    restartRedis: async () => {
      await redis.kill();
      redis = await startRedis(dir.path, { port: redisPort });
    },
    rows: async () => (await sql.query(`select id, state, attempts, enqueued_at from notifications order by created_at`)).rows as { id: string; state: string; attempts: number; enqueued_at: Date | null }[],
    close: async () => {
      hooks.release();
      if (process.env.NINES_TEST_LOGS) procs.forEach((p, i) => require('node:fs').writeFileSync(`${process.env.NINES_TEST_LOGS}/${name}-${i}.log`, p.logs()));
      for (const p of procs) await p.stop();
      await hooks.close();
      await target.stop();
      await sql.end().catch(() => undefined);
      await redis.kill();
      dir.remove();
      await db.drop();
    },
  };
  return env;
}

describe('alert delivery survives a Redis restart between enqueue and delivery', () => {
  let env: Awaited<ReturnType<typeof splitRoles>>;
  before(async () => {
    env = await splitRoles('delivery_redis_restart', '/hook');
  });
  after(async () => env?.close());

  it('the job lost with Redis is enqueued again from the outbox and delivered exactly once', async () => {
    const api = await env.start('api,prober');
    await env.sql.connect();
    await targetsUp(api, 1);
    await env.target.stop();
    const [row] = await waitFor('the notification row enqueued', async () => {
      const rows = await env.rows();
      return rows.length && rows[0].enqueued_at ? rows : undefined;
    }, ARRIVES);
    assert.equal(row.state, 'pending', 'no worker yet: nothing sent');
    assert.equal(await redisCliAnswer(env.redisPort, 'EXISTS', `nines:notifications:${row.id}`), '1', 'the job is in Redis');

    await env.restartRedis();
    assert.equal(await redisCliAnswer(env.redisPort, 'EXISTS', `nines:notifications:${row.id}`), '0', 'the job is gone with the restart');

    await env.start('worker');
    const hit = await waitFor('delivered after the restart', () => env.hooks.hits[0], 60_000);
    assert.equal(hit.signature, 'ok');
    assert.equal(hit.headers['webhook-id'], row.id);
    await waitFor('marked sent', async () => (await env.rows())[0].state === 'sent');
    await sleep(5000); // two more relay rounds
    assert.equal(env.hooks.hits.length, 1, 'delivered exactly once');
    const rows = await env.rows();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].attempts, 1);
    assert.equal(api.proc.exitCode, null, 'the api+prober process rode out the Redis restart');
  });
});

describe('alert delivery survives a worker killed mid-send', () => {
  let env: Awaited<ReturnType<typeof splitRoles>>;
  before(async () => {
    env = await splitRoles('delivery_worker_kill', '/hold');
  });
  after(async () => env?.close());

  it('the notification is delivered after the worker is killed with the request in flight, and not duplicated beyond one resend', async (t) => {
    const api = await env.start('api,prober');
    await env.sql.connect();
    const worker = await env.start('worker');
    await targetsUp(api, 1);
    // The receiver holds the first request open; later ones are answered at once.
    env.hooks.answer('/hold', (n) => (n === 0 ? 'hang' : { status: 200 }));
    await env.target.stop();
    const first = await waitFor('the request in flight', () => env.hooks.hits[0], ARRIVES);
    await worker.stop('SIGKILL');
    await waitFor('the request cut off by the kill', () => first.closedByClient === true, 10_000);

    await env.start('worker');
    const delivered = await waitFor('delivered by the restarted worker', async () => ((await env.rows())[0]?.state === 'sent' ? env.hooks.hits : undefined), 150_000, 500);
    await sleep(5000);
    const hits: WebhookHit[] = env.hooks.hits;
    const ids = distinct(hits.map((h) => h.headers['webhook-id']));
    t.diagnostic(`raw POSTs Nines made: ${hits.length} (webhook-ids: ${ids.length}); the first was cut off by the kill`);
    assert.equal(ids.length, 1, 'one logical delivery: one webhook-id');
    assert.ok(hits.length >= 2 && hits.length <= 2, `at most one resend after the kill (${hits.length} requests)`);
    assert.ok(hits.every((h) => h.signature === 'ok'));
    assert.ok(delivered.length >= 2);
  });
});

describe('a worker stopped while a receiver hangs gives its lane backlog back at once', () => {
  let env: Awaited<ReturnType<typeof splitRoles>>;
  before(async () => {
    env = await splitRoles('delivery_worker_stop', '/slow');
  });
  after(async () => env?.close());

  it('deliveries waiting in the lane are released unsent (no attempt counted) and sent once by the next worker', async () => {
    await env.sql.connect();
    env.hooks.answer('/slow', () => 'hang');
    const first = await env.start('worker'); // migrates the database
    const run = Math.random().toString(36).slice(2, 8);
    const ids = Array.from({ length: 60 }, (_, i) => `n-stop-${run}-${i}-webhook`);
    await env.sql.query(
      `insert into notifications (id, group_key, receiver, channel, kind, payload, state, first_alert_at)
       select id, 'stop', 'hook', 'webhook', 'alerts', jsonb_build_object('id', id, 'kind', 'alerts', 'receiver', 'hook', 'status', 'firing', 'groupKey', 'stop',
              'groupLabels', '{}'::jsonb, 'commonLabels', '{}'::jsonb, 'commonAnnotations', '{}'::jsonb, 'alerts', '[]'::jsonb, 'externalUrl', 'https://nines.example.com'),
              'pending', now() from unnest($1::text[]) as id`,
      [ids],
    );
    const queue = new NotificationQueue(new RedisConnections({ kind: 'url', url: `redis://127.0.0.1:${env.redisPort}` }, 'test'), pino({ level: 'silent' }));
    try {
      assert.ok(await queue.enqueue(ids));
    } finally {
      await queue.onApplicationShutdown();
    }
    await waitFor('the lane full of hanging requests', () => env.hooks.hits.length >= 32, ARRIVES);
    await sleep(1000);
    assert.equal(env.hooks.hits.length, 32, 'one lane: 32 requests in flight to the receiver, the rest wait');
    assert.equal(await first.stop(), 0, 'the worker stops cleanly');

    // The 32 in flight timed out (one attempt each); the 28 that waited in the lane are as they were.
    const rows = (await env.sql.query(`select state, attempts, count(*)::int as n from notifications group by state, attempts order by state`)).rows;
    assert.deepEqual(rows, [{ state: 'failed', attempts: 1, n: 32 }, { state: 'pending', attempts: 0, n: 28 }]);

    env.hooks.answer('/slow', () => ({ status: 200 }));
    env.hooks.release(200);
    await env.start('worker');
    await waitFor('all 60 sent by the next worker', async () => Number((await env.sql.query(`select count(*)::int as n from notifications where state = 'sent'`)).rows[0].n) === 60, 90_000, 500);
    const hitsPer = new Map<string, number>();
    for (const h of env.hooks.hits) hitsPer.set(String(h.headers['webhook-id']), (hitsPer.get(String(h.headers['webhook-id'])) ?? 0) + 1);
    assert.equal(hitsPer.size, 60);
    const firstRound = new Set(env.hooks.hits.slice(0, 32).map((h) => String(h.headers['webhook-id'])));
    for (const [id, n] of hitsPer) assert.equal(n, firstRound.has(id) ? 2 : 1, `${id}: ${n} requests`);
  });
});
