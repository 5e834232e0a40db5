import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationPayload } from './notification';
import { signStandardWebhook, WebhookNotifier } from './webhook.notifier';

/**
 * A receiver's side of the Standard Webhooks spec, written from the spec and not from Nines'
 * code: the key is the base64 after "whsec_", the signed content is `${id}.${timestamp}.${body}`,
 * the header is a space-separated list of `v1,<base64 HMAC-SHA256>`.
 */
function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string, nowSec: number, toleranceSec = 300): string {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return 'missing header';
  if (!/^\d+$/.test(ts)) return 'bad timestamp';
  if (Math.abs(nowSec - Number(ts)) > toleranceSec) return 'timestamp out of tolerance';
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  for (const s of sigs.split(' ')) {
    const [version, b64] = s.split(',');
    if (version !== 'v1' || !b64) continue;
    const given = Buffer.from(b64, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return 'ok';
  }
  return 'no matching signature';
}

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const payload: NotificationPayload = {
  id: 'n-4f1c2a9e8b7d6c5e4f3a2b1c-webhook',
  kind: 'alerts',
  receiver: 'chatops',
  status: 'firing',
  groupKey: '0.1:{"system":"orders-db"}',
  groupLabels: { system: 'orders-db' },
  commonLabels: { system: 'orders-db', severity: 'page' },
  commonAnnotations: {},
  alerts: [{ fingerprint: 'a1b2c3d4e5f60718', status: 'firing', labels: { alertname: 'SystemDown', severity: 'page', system: 'orders-db' }, annotations: { summary: 'orders-db: no primary; pg1 unreachable for 12s — “ünïcode”' }, startsAt: '2026-03-02T03:12:00.000Z' }],
  externalUrl: 'http://127.0.0.1:9797',
};

describe('webhook: Standard Webhooks signature', () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingHttpHeaders; body: string; at: number }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body, at: Math.floor(Date.now() / 1000) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('matches the test vector published with the spec', () => {
    assert.equal(
      signStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('a receiver verifying by the spec accepts what Nines sends, byte for byte (non-ASCII body)', async () => {
    received.length = 0;
    await new WebhookNotifier({ url, format: 'standard', secret: SECRET, allowPrivate: true, headers: {}, timeoutMs: 5000 }).send(payload, AbortSignal.timeout(5000));
    assert.equal(received.length, 1);
    const [r] = received;
    assert.equal(verifyStandardWebhook(SECRET, r.headers, r.body, r.at), 'ok');
    assert.equal(r.headers['webhook-id'], payload.id);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(JSON.parse(r.body).alerts[0].summary, payload.alerts[0].annotations.summary);
  });

  it('a changed body, id or timestamp fails verification; so does another secret', () => {
    const stamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ hello: 'world' });
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(stamp), 'webhook-signature': signStandardWebhook(SECRET, 'msg_1', stamp, body) };
    assert.equal(verifyStandardWebhook(SECRET, headers, body, stamp), 'ok');
    assert.equal(verifyStandardWebhook(SECRET, headers, body.replace('world', 'w0rld'), stamp), 'no matching signature');
    assert.equal(verifyStandardWebhook(SECRET, { ...headers, 'webhook-id': 'msg_2' }, body, stamp), 'no matching signature');
    assert.equal(verifyStandardWebhook(SECRET, { ...headers, 'webhook-timestamp': String(stamp + 1) }, body, stamp), 'no matching signature');
    assert.equal(verifyStandardWebhook(`whsec_${Buffer.from('another key').toString('base64')}`, headers, body, stamp), 'no matching signature');
  });

  it('webhook-id is stable across retries while the timestamp (and so the signature) is fresh', async () => {
    received.length = 0;
    const n = new WebhookNotifier({ url, format: 'alertmanager', secret: SECRET, allowPrivate: true, headers: {}, timeoutMs: 5000 });
    await n.send(payload, AbortSignal.timeout(5000));
    await new Promise((r) => setTimeout(r, 1100));
    await n.send(payload, AbortSignal.timeout(5000));
    assert.equal(received.length, 2);
    assert.equal(received[0].headers['webhook-id'], received[1].headers['webhook-id']);
    assert.notEqual(received[0].headers['webhook-timestamp'], received[1].headers['webhook-timestamp']);
    for (const r of received) assert.equal(verifyStandardWebhook(SECRET, r.headers, r.body, r.at), 'ok');
  });

  it('a secret without the whsec_ prefix is used as raw bytes; no secret means no signature header', async () => {
    received.length = 0;
    await new WebhookNotifier({ url, format: 'standard', secret: 'plain-shared-secret', allowPrivate: true, headers: {}, timeoutMs: 5000 }).send(payload, AbortSignal.timeout(5000));
    await new WebhookNotifier({ url, format: 'standard', allowPrivate: true, headers: {}, timeoutMs: 5000 }).send(payload, AbortSignal.timeout(5000));
    const [signed, unsigned] = received;
    const ts = signed.headers['webhook-timestamp'] as string;
    const expected = createHmac('sha256', Buffer.from('plain-shared-secret')).update(`${payload.id}.${ts}.${signed.body}`).digest('base64');
    assert.equal(signed.headers['webhook-signature'], `v1,${expected}`);
    assert.equal(unsigned.headers['webhook-signature'], undefined);
    assert.equal(unsigned.headers['webhook-id'], payload.id);
  });
});
