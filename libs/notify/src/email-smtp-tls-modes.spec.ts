import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { certValidBetween, type TestCert } from '../../../test/support/servers/tls-cert';
import { EmailNotifier } from './email.notifier';
import { NotifyError, type NotificationPayload } from './notification';

const payload: NotificationPayload = {
  id: 'n-tls-modes-email',
  kind: 'alerts',
  receiver: 'oncall',
  status: 'firing',
  groupKey: 'k',
  groupLabels: { system: 'orders-db' },
  commonLabels: {},
  commonAnnotations: {},
  alerts: [
    { fingerprint: '0123456789abcdef', status: 'firing', labels: { alertname: 'MemberDown', severity: 'critical', system: 'orders-db', member: 'pg1' }, annotations: { summary: 'orders-db: primary pg1 unreachable for 12s' }, startsAt: '2026-03-02T03:12:00Z' },
    { fingerprint: 'fedcba9876543210', status: 'firing', labels: { alertname: 'FailoverHappened', severity: 'critical', system: 'orders-db' }, annotations: { summary: 'orders-db: failover pg1 → pg2 at 03:12:07' }, startsAt: '2026-03-02T03:12:07Z' },
  ],
  externalUrl: 'https://nines.example.com',
  ackUrl: 'https://nines.example.com/api/v1/ack/1.2.x',
  incidentUrl: 'https://nines.example.com/incidents/1',
};

interface Sink {
  port: number;
  mails: ParsedMail[];
  auths: { user?: string; secure: boolean }[];
  close(): Promise<void>;
}

async function sink(opts: Partial<SMTPServerOptions>): Promise<Sink> {
  const mails: ParsedMail[] = [];
  const auths: Sink['auths'] = [];
  const server = new SMTPServer({
    logger: false,
    ...opts,
    onAuth(auth, session, cb) {
      auths.push({ user: auth.username, secure: session.secure });
      cb(null, { user: auth.username });
    },
    onData(stream, _s, cb) {
      simpleParser(stream).then((m) => (mails.push(m), cb()), cb);
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.server.address() as AddressInfo).port, mails, auths, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const send = (n: EmailNotifier) => n.send(payload, AbortSignal.timeout(10_000)).finally(() => n.close());
const settings = (url: string, extra: Partial<ConstructorParameters<typeof EmailNotifier>[0]> = {}) => ({ url, from: 'nines@example.com', starttls: 'auto' as const, tlsVerify: false, username: 'nines', password: 'pw-tls-modes', ...extra });

describe('email over SMTP: implicit TLS, STARTTLS, auth; one mail per group', () => {
  let cert: TestCert;
  before(() => {
    cert = certValidBetween(-1, 30);
  });

  it('smtps:// speaks TLS from the first byte and logs in over it', async () => {
    const s = await sink({ secure: true, key: cert.key, cert: cert.cert });
    try {
      await send(new EmailNotifier(settings(`smtps://127.0.0.1:${s.port}`), ['oncall@example.com']));
      assert.equal(s.mails.length, 1);
      assert.deepEqual(s.auths, [{ user: 'nines', secure: true }]);
    } finally {
      await s.close();
    }
  });

  it('starttls: required upgrades before logging in; grouped alerts arrive as one mail with both bodies', async () => {
    const s = await sink({ key: cert.key, cert: cert.cert });
    try {
      await send(new EmailNotifier(settings(`smtp://127.0.0.1:${s.port}`, { starttls: 'required' }), ['oncall@example.com', 'dba@example.com'], { subjectPrefix: '[db]' }));
      assert.equal(s.mails.length, 1);
      assert.deepEqual(s.auths, [{ user: 'nines', secure: true }]);
      const m = s.mails[0];
      assert.equal(m.subject, '[db] FIRING 2 orders-db: orders-db: primary pg1 unreachable for 12s');
      assert.deepEqual((Array.isArray(m.to) ? m.to : [m.to]).flatMap((t) => t!.value.map((v) => v.address)), ['oncall@example.com', 'dba@example.com']);
      assert.match(m.text ?? '', /MemberDown \(critical\)[\s\S]*FailoverHappened \(critical\)/);
      assert.match(m.text ?? '', /Acknowledge: https:\/\/nines\.example\.com\/api\/v1\/ack\/1\.2\.x/);
      assert.match(String(m.html), /<a href="https:\/\/nines\.example\.com\/incidents\/1"/);
      assert.equal(m.messageId, '<n-tls-modes-email@nines>', 'the notification id names the message: a resend is recognisable');
      assert.equal(m.headers.get('x-nines-notification'), 'n-tls-modes-email');
    } finally {
      await s.close();
    }
  });

  it('starttls: required refuses a server without STARTTLS instead of logging in in the clear', async () => {
    const s = await sink({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    try {
      const err = await send(new EmailNotifier(settings(`smtp://127.0.0.1:${s.port}`, { starttls: 'required' }), ['oncall@example.com'])).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof NotifyError, String(err));
      assert.deepEqual(s.auths, [], 'no password sent over plain text');
      assert.equal(s.mails.length, 0);
    } finally {
      await s.close();
    }
  });

  it('tls_verify: true refuses a certificate it cannot verify', async () => {
    const s = await sink({ secure: true, key: cert.key, cert: cert.cert });
    try {
      const err = await send(new EmailNotifier(settings(`smtps://127.0.0.1:${s.port}`, { tlsVerify: true }), ['oncall@example.com'])).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof NotifyError, String(err));
      assert.equal(s.mails.length, 0);
    } finally {
      await s.close();
    }
  });

  it('starttls: off sends in the clear (a local relay)', async () => {
    const s = await sink({ disabledCommands: ['STARTTLS'], authOptional: true });
    try {
      await send(new EmailNotifier(settings(`smtp://127.0.0.1:${s.port}`, { starttls: 'off', username: undefined, password: undefined }), ['oncall@example.com']));
      assert.equal(s.mails.length, 1);
    } finally {
      await s.close();
    }
  });
});
