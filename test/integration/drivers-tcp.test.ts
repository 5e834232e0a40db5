import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import { timedProbe } from '../support/servers/probe';
import { closedPort, waitUntil, startSilentServer, startTcpServer, startTlsServer, type TestServer } from '../support/servers/tcp';
import { certValidBetween, type TestCert } from '../support/servers/tls-cert';

const probe = (fields: Record<string, unknown>, timeoutMs?: number) => timedProbe('tcp', fields, timeoutMs).then((r) => r.obs);

/** A line-based fake SMTP server: banner, then 250 for EHLO/HELO, 221 for QUIT, 502 otherwise. */
function smtpSession(socket: net.Socket, received: string[]): void {
  socket.setEncoding('utf8');
  socket.write('220 mail.nines.test ESMTP ready\r\n');
  let buf = '';
  socket.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      received.push(line);
      if (/^(EHLO|HELO) /i.test(line)) socket.write('250-mail.nines.test\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n');
      else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
      else socket.write('502 command not implemented\r\n');
    }
  });
}

describe('tcp driver against real servers', () => {
  const servers: TestServer[] = [];
  let smtp: TestServer;
  const smtpLines: string[] = [];
  let cert: TestCert;

  async function server<T extends TestServer>(s: Promise<T>): Promise<T> {
    const started = await s;
    servers.push(started);
    return started;
  }

  before(async () => {
    smtp = await server(startTcpServer((s) => smtpSession(s, smtpLines)));
    cert = certValidBetween(-1, 90);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('a listening port is up', async () => {
    const obs = await probe({ address: smtp.address });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.reason, undefined);
  });

  test('a closed port is "connection refused"', async () => {
    const obs = await probe({ address: `127.0.0.1:${await closedPort()}` });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'connection refused');
  });

  test('a banner check with expect and no send', async () => {
    const obs = await probe({ address: smtp.address, expect: '^220 ' });
    assert.equal(obs.up, true, obs.reason);
  });

  test('an SMTP dialogue: banner 220, EHLO → 250, QUIT → 221', async () => {
    const before = smtpLines.length;
    const obs = await probe({ address: smtp.address, send: ['EHLO nines.probe', 'QUIT'], expect: ['^220 ', '250 STARTTLS', '221 bye'] });
    assert.equal(obs.up, true, obs.reason);
    assert.deepEqual(smtpLines.slice(before), ['EHLO nines.probe', 'QUIT']);
  });

  test('an expect that never matches before the peer closes names the pattern and what came back', async () => {
    const obs = await probe({ address: smtp.address, send: ['EHLO nines.probe', 'QUIT'], expect: ['250 STARTTLS', '^235 authenticated'] });
    assert.equal(obs.up, false);
    assert.match(obs.reason ?? '', /^expected \/\^235 authenticated\/, got "/);
    assert.match(obs.reason ?? '', /221 bye/);
  });

  test('a banner that never matches while the peer stays connected times out', async () => {
    const obs = await probe({ address: smtp.address, expect: '^SSH-2\\.0' }, 400);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'timeout after 400ms');
  });

  test('a peer that accepts and says nothing times out within the probe timeout', async () => {
    const silent = await server(startSilentServer());
    const { obs, ms } = await timedProbe('tcp', { address: silent.address, expect: '^220' }, 500);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'timeout after 500ms');
    assert.ok(ms >= 450 && ms < 1500, `returned after ${ms}ms`);
    assert.equal(silent.accepted(), 1);
    await waitUntil('the probe to close its socket after the timeout', () => silent.openConnections() === 0, 2000);
  });

  test('a peer that closes at once fails the expect with an empty reply', async () => {
    const slammer = await server(startTcpServer((s) => s.end()));
    const obs = await probe({ address: slammer.address, expect: '^220' });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'expected /^220/, got ""');
  });

  describe('TLS', () => {
    let tlsEcho: TestServer;

    before(async () => {
      tlsEcho = await server(
        startTlsServer(cert, (s) => {
          s.write('+OK tls greeter\r\n');
          s.on('data', (d) => s.write(`echo ${d}`));
        }),
      );
    });

    test('tls with verification off is up, reads the banner and reports the certificate expiry', async () => {
      const obs = await probe({ address: tlsEcho.address, tls: true, tls_verify: false, send: 'PING', expect: ['echo PING'] });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.certExpiry, cert.notAfter);
    });

    test('tls with verification on rejects the self-signed certificate', async () => {
      const obs = await probe({ address: tlsEcho.address, tls: true });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'TLS certificate is self-signed');
    });

    test('tls against a plain port fails the handshake', async () => {
      const obs = await probe({ address: smtp.address, tls: true, tls_verify: false });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'TLS handshake failed (is the port speaking TLS?)');
    });
  });
});
