import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { secretScrubber } from '../../common/src/secrets';
import { EmailNotifier } from './email.notifier';
import { NotifyError, type NotificationPayload } from './notification';
import { WebhookNotifier } from './webhook.notifier';

/**
 * Alertmanager's AssertNotifyLeaksNoSecret for each receiver type: whatever a failing receiver
 * answers, the error a notifier returns (which goes to logs and the notification log) carries
 * none of the receiver's secrets — not even in the encoded form the receiver might echo.
 */
const PASS = 'Pa55-w0rd-leak-check';
const SECRET = `whsec_${Buffer.from('leak-check-signing-key').toString('base64')}`;
const API_KEY = 'key-0f9e8d7c6b5a';
const SMTP_PASS = 'smtp-Pa55-leak-check';
const payload: NotificationPayload = {
  id: 'n-leak',
  kind: 'alerts',
  receiver: 'r',
  status: 'firing',
  groupKey: 'k',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  alerts: [{ fingerprint: '0123456789abcdef', status: 'firing', labels: { alertname: 'TargetDown' }, annotations: { summary: 'x down' }, startsAt: '2026-03-02T03:12:00Z' }],
  externalUrl: 'http://nines',
};

async function errorOf(p: Promise<void>): Promise<NotifyError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NotifyError, `expected a NotifyError, got ${String(err)}`);
  return err;
}

function assertNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), `leaked ${s.slice(0, 6)}… in: ${text}`);
}

describe('notifier errors leak no secret', () => {
  let server: Server;
  let port: number;
  // As the config loader registers them: the URL password, the signing secret, secret-looking headers.
  before(async () => {
    secretScrubber.setSecrets([PASS, SECRET, `Bearer ${API_KEY}`, SMTP_PASS]);
    server = createServer((req, res) => {
      const auth = String(req.headers.authorization ?? '');
      const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
      res.writeHead(req.url === '/teapot' ? 418 : 500).end(`echo: ${auth} = ${decoded}; sig ${req.headers['webhook-signature']}; x-api-key ${req.headers['x-api-key']}; ${req.headers['x-auth-token']}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    secretScrubber.setSecrets([]);
    return new Promise<void>((r) => server.close(() => r()));
  });

  const webhook = (url: string) =>
    new WebhookNotifier({ url, format: 'standard', secret: SECRET, allowPrivate: true, headers: { 'x-api-key': API_KEY, 'x-auth-token': `Bearer ${API_KEY}` }, timeoutMs: 2000 });
  const basic = Buffer.from(`hook:${PASS}`).toString('base64');

  it('webhook: a receiver echoing Basic auth, the signature and API keys back (5xx and 4xx)', async () => {
    for (const path of ['/fail', '/teapot']) {
      const e = await errorOf(webhook(`http://hook:${PASS}@127.0.0.1:${port}${path}`).send(payload, AbortSignal.timeout(2000)));
      assert.match(e.message, /answered (500|418): echo: /);
      assertNoSecret(e.message, [PASS, basic, SECRET, SECRET.slice(6), API_KEY]);
    }
  });

  it('webhook: connection refused and timeouts with credentials in the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await errorOf(webhook(`http://hook:${PASS}@127.0.0.1:${closedPort}/?token=${PASS}`).send(payload, AbortSignal.timeout(2000)));
    assert.match(refused.message, /ECONNREFUSED/);
    assertNoSecret(refused.message, [PASS, basic]);

    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const n = new WebhookNotifier({ url: `http://hook:${PASS}@127.0.0.1:${(silent.address() as AddressInfo).port}/`, format: 'standard', allowPrivate: true, headers: {}, timeoutMs: 300 });
      const timedOut = await errorOf(n.send(payload, AbortSignal.timeout(5000)));
      assert.equal(timedOut.retryable, true);
      assertNoSecret(timedOut.message, [PASS, basic]);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('email: an SMTP server refusing the login and echoing the password', async () => {
    const smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _s, cb) {
        cb(Object.assign(new Error(`Invalid login ${auth.username}:${auth.password}`), { responseCode: 535 }));
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    try {
      for (const settings of [
        { url: `smtp://127.0.0.1:${smtpPort}`, username: 'nines', password: SMTP_PASS },
        { url: `smtp://nines:${encodeURIComponent(SMTP_PASS)}@127.0.0.1:${smtpPort}` },
      ]) {
        const n = new EmailNotifier({ from: 'nines@example.com', starttls: 'off', tlsVerify: true, ...settings }, ['oncall@example.com'], { timeoutMs: 3000 });
        const e = await errorOf(n.send(payload, AbortSignal.timeout(5000)));
        n.close();
        assert.match(e.message, /535/);
        assert.equal(e.retryable, false, 'a permanent SMTP failure is not retried');
        assertNoSecret(e.message, [SMTP_PASS, encodeURIComponent(SMTP_PASS), Buffer.from(SMTP_PASS).toString('base64'), Buffer.from(`\u0000nines\u0000${SMTP_PASS}`).toString('base64')]);
      }
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });
});
