import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reply, startHttpServer, type TestHttpServer } from '../support/servers/http';
import { timedProbe } from '../support/servers/probe';
import { closedPort, waitUntil, startReplyServer, startSilentServer, startTcpServer, type TestServer } from '../support/servers/tcp';
import { certValidBetween, type TestCert } from '../support/servers/tls-cert';

const probe = (fields: Record<string, unknown>, timeoutMs?: number) => timedProbe('http', fields, timeoutMs).then((r) => r.obs);

describe('http driver against real servers', () => {
  let app: TestHttpServer;
  /** A second origin, for redirects that leave the first. */
  let other: TestHttpServer;
  const servers: { close(): Promise<void> }[] = [];

  before(async () => {
    app = await startHttpServer((req, res) => {
      const path = req.url.split('?')[0];
      switch (path) {
        case '/ok':
          return reply(res, 200, 'all good: build 42');
        case '/down':
          return reply(res, 503, 'maintenance');
        case '/hop1':
          return reply(res, 302, '', { location: '/hop2' });
        case '/hop2':
          return reply(res, 301, '', { location: `${app.origin}/hop3` });
        case '/hop3':
          return reply(res, 307, '', { location: '/ok' });
        case '/hop-to-down':
          return reply(res, 302, '', { location: '/down' });
        case '/relative-hop':
          return reply(res, 302, '', { location: '/private' });
        case '/submit':
          return reply(res, 303, '', { location: '/done' });
        case '/done':
          return req.method === 'GET' ? reply(res, 200, 'thanks') : reply(res, 405, 'GET only', { allow: 'GET' });
        case '/submit-307':
          return reply(res, 307, '', { location: '/echo' });
        case '/away':
          return reply(res, 302, '', { location: `${other.origin}/landing` });
        case '/loop':
          return reply(res, 302, '', { location: '/loop' });
        case '/health.json':
          return reply(res, 200, JSON.stringify({ status: 'ok', db: { connected: true, replicas: [{ lag: 0 }, { lag: 3 }] }, degraded: false }), {
            'content-type': 'application/json',
          });
        case '/not-json':
          return reply(res, 200, '<html>oops</html>', { 'content-type': 'text/html' });
        case '/echo':
          return reply(res, 201, 'created');
        case '/private':
          return req.headers.authorization === `Basic ${Buffer.from('probe:pw-S3cret-http').toString('base64')}`
            ? reply(res, 200, 'welcome')
            : reply(res, 401, 'who are you', { 'www-authenticate': 'Basic realm="x"' });
        default:
          return reply(res, 404, 'no such page');
      }
    });
    other = await startHttpServer((_req, res) => reply(res, 200, 'landed'));
    servers.push(app, other);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function extra<T extends TestServer>(s: Promise<T>): Promise<T> {
    const server = await s;
    servers.push(server);
    return server;
  }

  describe('status', () => {
    test('200 is up with the status recorded', async () => {
      const obs = await probe({ url: `${app.origin}/ok` });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.httpStatus, 200);
      assert.equal(obs.reason, undefined);
    });

    test('503 is down with reason "status 503"', async () => {
      const obs = await probe({ url: `${app.origin}/down` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'status 503');
      assert.equal(obs.httpStatus, 503);
    });

    test('expect_status [503] makes 503 up and 200 down', async () => {
      const down = await probe({ url: `${app.origin}/down`, expect_status: [503] });
      assert.equal(down.up, true, down.reason);
      const ok = await probe({ url: `${app.origin}/ok`, expect_status: [503] });
      assert.equal(ok.up, false);
      assert.equal(ok.reason, 'status 200');
    });
  });

  describe('connection failures', () => {
    test('a server that accepts and never answers times out at the probe timeout', async () => {
      const silent = await extra(startSilentServer());
      const { obs, ms } = await timedProbe('http', { url: `http://${silent.address}/` }, 500);
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'timeout after 500ms');
      assert.ok(ms >= 450 && ms < 1500, `returned after ${ms}ms`);
      assert.equal(silent.accepted(), 1);
      await waitUntil('the probe to close its socket after the timeout', () => silent.openConnections() === 0, 2000);
    });

    test('a server that closes the connection at once is "connection closed before response"', async () => {
      const slammer = await extra(startTcpServer((s) => s.destroy()));
      const obs = await probe({ url: `http://${slammer.address}/` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'connection closed before response');
    });

    test('a server that resets the connection mid-response is "connection reset by peer"', async () => {
      const resetter = await extra(
        startTcpServer((s) =>
          s.once('data', () => {
            s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
            setTimeout(() => s.resetAndDestroy(), 50);
          }),
        ),
      );
      const obs = await probe({ url: `http://${resetter.address}/` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'connection reset by peer');
    });

    test('garbage that is not HTTP is "malformed HTTP response"', async () => {
      const garbage = await extra(startReplyServer('SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 not http at all\r\n\r\n', { when: 'data' }));
      const obs = await probe({ url: `http://${garbage.address}/` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'malformed HTTP response');
    });

    test('a closed port is "connection refused"', async () => {
      const port = await closedPort();
      const obs = await probe({ url: `http://127.0.0.1:${port}/` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'connection refused');
    });
  });

  describe('redirects', () => {
    test('a redirect chain is followed and the final status decides', async () => {
      const obs = await probe({ url: `${app.origin}/hop1` });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.httpStatus, 200);
      assert.deepEqual(obs.details, { redirects: 3, final_url: `${app.origin}/ok` });
    });

    test('a chain ending in 503 is down with that status', async () => {
      const obs = await probe({ url: `${app.origin}/hop-to-down` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'status 503');
    });

    test('follow_redirects false reports the 302 itself', async () => {
      const obs = await probe({ url: `${app.origin}/hop1`, follow_redirects: false });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'status 302');
      assert.equal(obs.httpStatus, 302);
      const accepted = await probe({ url: `${app.origin}/hop1`, follow_redirects: false, expect_status: [302] });
      assert.equal(accepted.up, true, accepted.reason);
    });

    test('a 303 after a POST continues as a GET without the body', async () => {
      const before = app.requests.length;
      const obs = await probe({ url: `${app.origin}/submit`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
      assert.equal(obs.up, true, obs.reason);
      const [post, get] = app.requests.slice(before);
      assert.equal(post.method, 'POST');
      assert.equal(post.body, '{"n":1}');
      assert.equal(get.method, 'GET');
      assert.equal(get.url, '/done');
      assert.equal(get.body, '');
      assert.equal(get.headers['content-type'], undefined);
    });

    test('a 307 repeats the POST with its body', async () => {
      const before = app.requests.length;
      const obs = await probe({ url: `${app.origin}/submit-307`, method: 'POST', body: 'again', expect_status: [201] });
      assert.equal(obs.up, true, obs.reason);
      const [, repeated] = app.requests.slice(before);
      assert.equal(repeated.method, 'POST');
      assert.equal(repeated.url, '/echo');
      assert.equal(repeated.body, 'again');
    });

    test('credentials in headers are not sent to another origin after a redirect', async () => {
      const before = other.requests.length;
      const obs = await probe({ url: `${app.origin}/away`, headers: { authorization: 'Bearer nines-token-xyz', cookie: 'sid=1', 'x-trace': 't1' } });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(app.requests.at(-1)!.headers.authorization, 'Bearer nines-token-xyz');
      const [landed] = other.requests.slice(before);
      assert.equal(landed.url, '/landing');
      assert.equal(landed.headers['x-trace'], 't1');
      assert.equal(landed.headers.authorization, undefined);
      assert.equal(landed.headers.cookie, undefined);
    });

    test('a redirect loop stops with a reason', async () => {
      const obs = await probe({ url: `${app.origin}/loop` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'more than 10 redirects');
    });
  });

  describe('body checks', () => {
    test('body_regex match is up, mismatch names the pattern', async () => {
      const ok = await probe({ url: `${app.origin}/ok`, body_regex: 'build \\d+' });
      assert.equal(ok.up, true, ok.reason);
      const bad = await probe({ url: `${app.origin}/ok`, body_regex: '^healthy$' });
      assert.equal(bad.up, false);
      assert.equal(bad.reason, 'body does not match /^healthy$/');
    });

    test('json_path with json_expect: match, mismatch, missing path', async () => {
      const url = `${app.origin}/health.json`;
      const ok = await probe({ url, json_path: '$.status', json_expect: 'ok' });
      assert.equal(ok.up, true, ok.reason);
      const nested = await probe({ url, json_path: 'db.replicas[1].lag', json_expect: 3 });
      assert.equal(nested.up, true, nested.reason);
      const bad = await probe({ url, json_path: 'db.replicas[1].lag', json_expect: 0 });
      assert.equal(bad.up, false);
      assert.equal(bad.reason, 'JSON path db.replicas[1].lag is 3, expected 0');
      const missing = await probe({ url, json_path: 'db.primary' });
      assert.equal(missing.up, false);
      assert.equal(missing.reason, 'JSON path db.primary not found');
    });

    test('json_path without json_expect needs a truthy value', async () => {
      const url = `${app.origin}/health.json`;
      const ok = await probe({ url, json_path: 'db.connected' });
      assert.equal(ok.up, true, ok.reason);
      const falsy = await probe({ url, json_path: 'degraded' });
      assert.equal(falsy.up, false);
      assert.equal(falsy.reason, 'JSON path degraded is false');
    });

    test('json_path on a body that is not JSON is down', async () => {
      const obs = await probe({ url: `${app.origin}/not-json`, json_path: 'status', json_expect: 'ok' });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'body is not valid JSON');
    });
  });

  test('method, headers and body are sent as configured', async () => {
    const before = app.requests.length;
    const obs = await probe({
      url: `${app.origin}/echo?probe=1`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-nines-check': 'deep' },
      body: '{"ping":true}',
      expect_status: [201],
    });
    assert.equal(obs.up, true, obs.reason);
    const seen = app.requests.slice(before);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].url, '/echo?probe=1');
    assert.equal(seen[0].headers['content-type'], 'application/json');
    assert.equal(seen[0].headers['x-nines-check'], 'deep');
    assert.match(seen[0].headers['user-agent'] ?? '', /^Nines-Probe\//);
    assert.equal(seen[0].body, '{"ping":true}');
  });

  describe('TLS', () => {
    let expired: TestCert;
    let selfSigned: TestCert;
    let expiringSoon: TestCert;
    let expiredSrv: TestHttpServer;
    let selfSignedSrv: TestHttpServer;
    let expiringSrv: TestHttpServer;

    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);

    before(async () => {
      process.on('warning', onWarning);
      expired = certValidBetween(-60, -2);
      selfSigned = certValidBetween(-1, 365);
      expiringSoon = certValidBetween(-30, 3);
      expiredSrv = await extra(startHttpServer((_q, res) => reply(res, 200, 'ok'), expired));
      selfSignedSrv = await extra(startHttpServer((_q, res) => reply(res, 200, 'ok'), selfSigned));
      expiringSrv = await extra(startHttpServer((_q, res) => reply(res, 200, 'ok'), expiringSoon));
    });

    test('an expired certificate fails with tls_verify on (the default)', async () => {
      const obs = await probe({ url: `${expiredSrv.origin}/` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'TLS certificate expired');
    });

    test('with tls_verify false an expired certificate is up, with its expiry and a warning', async () => {
      const obs = await probe({ url: `${expiredSrv.origin}/`, tls_verify: false });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.certExpiry, expired.notAfter);
      assert.equal(obs.warning, 'TLS certificate expired');
    });

    test('a valid self-signed certificate fails verification as self-signed', async () => {
      const obs = await probe({ url: `${selfSignedSrv.origin}/` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'TLS certificate is self-signed');
      const unverified = await probe({ url: `${selfSignedSrv.origin}/`, tls_verify: false });
      assert.equal(unverified.up, true, unverified.reason);
      assert.equal(unverified.certExpiry, selfSigned.notAfter);
      assert.equal(unverified.warning, undefined);
    });

    test('a certificate expiring within cert_expiry_warn is up with a warning about expiry', async () => {
      const obs = await probe({ url: `${expiringSrv.origin}/`, tls_verify: false, cert_expiry_warn: '14d' });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.certExpiry, expiringSoon.notAfter);
      assert.match(obs.warning ?? '', /^TLS certificate expires in (2d23h|3d)/);
      const quiet = await probe({ url: `${expiringSrv.origin}/`, tls_verify: false, cert_expiry_warn: '1d' });
      assert.equal(quiet.warning, undefined);
    });

    test('plain HTTP to a TLS port is a malformed response, not a crash', async () => {
      const obs = await probe({ url: `http://127.0.0.1:${selfSignedSrv.port}/` });
      assert.equal(obs.up, false);
      assert.match(obs.reason ?? '', /^(malformed HTTP response|connection closed before response|connection reset by peer)$/);
    });

    test('an IP address is not sent as the TLS server name (RFC 6066)', async () => {
      await probe({ url: `${selfSignedSrv.origin}/`, tls_verify: false });
      await new Promise((r) => setImmediate(r));
      process.removeListener('warning', onWarning);
      const sni = warnings.filter((w) => (w as { code?: string }).code === 'DEP0123');
      assert.deepEqual(sni.map((w) => w.message), []);
    });

    test('HTTPS to a plain HTTP port says the port is not speaking TLS', async () => {
      const obs = await probe({ url: `https://127.0.0.1:${app.port}/ok` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'TLS handshake failed (is the port speaking TLS?)');
    });
  });

  describe('secrets', () => {
    const PW = 'pw-S3cret-http';

    test('basic-auth credentials in the URL are sent and never appear in any observation', async () => {
      const port = await closedPort();
      const silent = await extra(startSilentServer());
      const garbage = await extra(startReplyServer('garbage\r\n\r\n', { when: 'data' }));
      const auth = `probe:${PW}@`;
      const cases: [string, Record<string, unknown>, number?][] = [
        ['ok', { url: `http://${auth}127.0.0.1:${app.port}/private` }],
        ['wrong status', { url: `http://probe:wrong-${PW}@127.0.0.1:${app.port}/private` }],
        ['redirected', { url: `http://${auth}127.0.0.1:${app.port}/relative-hop` }],
        ['body mismatch', { url: `http://${auth}127.0.0.1:${app.port}/private`, body_regex: 'nope' }],
        ['refused', { url: `http://${auth}127.0.0.1:${port}/` }],
        ['timeout', { url: `http://${auth}${silent.address}/` }, 300],
        ['garbage', { url: `http://${auth}${garbage.address}/` }],
        ['tls to plain port', { url: `https://${auth}127.0.0.1:${app.port}/` }],
        ['header token', { url: `${app.origin}/down`, headers: { authorization: `Bearer ${PW}` } }],
      ];
      const results = await Promise.all(cases.map(([, fields, timeout]) => probe(fields, timeout)));
      assert.equal(results[0].up, true, results[0].reason);
      assert.equal(results[1].reason, 'status 401');
      assert.equal(results[2].up, true, results[2].reason);
      cases.forEach(([name], i) => {
        const json = JSON.stringify(results[i]);
        assert.ok(!json.includes(PW), `${name}: observation leaks the password: ${json}`);
      });
      // A same-origin redirect keeps the credentials (so /private still lets the probe in) but masks them.
      assert.equal((results[2].details as { final_url: string }).final_url, `http://probe:***@127.0.0.1:${app.port}/private`);
    });
  });
});
