import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateAddress, privateTargetReason } from './address-policy';
import { NotifyError } from './notification';
import { WebhookNotifier } from './webhook.notifier';

/** The address a URL's host names, as Node's URL parser normalises it (brackets off). */
const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');

describe('outbound address policy: private and link-local targets refused', () => {
  it('refuses loopback, RFC 1918, link-local (cloud metadata), CGNAT, "this network" and multicast IPv4', () => {
    for (const ip of ['127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255'])
      assert.equal(isPrivateAddress(ip), true, ip);
  });

  it('allows public IPv4 addresses next to the private ranges', () => {
    for (const ip of ['8.8.8.8', '172.15.255.255', '172.32.0.1', '192.167.1.1', '169.253.1.1', '100.63.255.255', '100.128.0.1', '11.0.0.1', '223.255.255.255'])
      assert.equal(isPrivateAddress(ip), false, ip);
  });

  it('refuses IPv6 loopback, unspecified, unique-local, link-local, site-local and multicast', () => {
    for (const ip of ['::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'febf::1', 'fec0::1', 'ff02::1'])
      assert.equal(isPrivateAddress(ip), true, ip);
    for (const ip of ['2001:4860:4860::8888', '2606:4700::1111']) assert.equal(isPrivateAddress(ip), false, ip);
  });

  it('sees through IPv4 addresses written as IPv6 (mapped and compatible, dotted or hex, as URLs normalise them)', () => {
    // new URL('http://[::ffff:127.0.0.1]/').hostname is "[::ffff:7f00:1]": the hex form must be caught too.
    for (const url of ['http://[::ffff:127.0.0.1]/', 'http://[::ffff:169.254.169.254]/', 'http://[::ffff:10.0.0.1]/', 'http://[::127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/'])
      assert.equal(isPrivateAddress(hostOf(url)), true, `${url} → ${hostOf(url)}`);
    assert.equal(isPrivateAddress('::ffff:127.0.0.1'), true);
    assert.equal(isPrivateAddress(hostOf('http://[::ffff:8.8.8.8]/')), false);
  });

  it('sees through IPv4 addresses carried by NAT64 (64:ff9b::/96) and 6to4 (2002::/16); local-use NAT64 is private', () => {
    for (const ip of ['64:ff9b::7f00:1', '64:ff9b::127.0.0.1', '64:ff9b::a9fe:a9fe', '64:ff9b::10.1.2.3', '2002:7f00:1::1', '2002:c0a8:101::', '2002:a00:1:5::9', '64:ff9b:1::808:808'])
      assert.equal(isPrivateAddress(ip), true, ip);
    for (const url of ['http://[64:ff9b::127.0.0.1]/', 'http://[64:ff9b::169.254.169.254]/', 'http://[2002:a9fe:a9fe::1]/'])
      assert.equal(isPrivateAddress(hostOf(url)), true, `${url} → ${hostOf(url)}`);
    for (const ip of ['64:ff9b::808:808', '64:ff9b::8.8.8.8', '2002:808:808::1', '2001:db8:64:ff9b::7f00:1'])
      assert.equal(isPrivateAddress(ip), false, ip);
  });

  it('sees through decimal and hex IPv4 spellings (URL parsing normalises them)', () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/'])
      assert.equal(isPrivateAddress(hostOf(url)), true, `${url} → ${hostOf(url)}`);
  });

  it('resolves names: localhost is refused with a reason that says how to allow it', async () => {
    const reason = await privateTargetReason('localhost');
    assert.match(reason ?? '', /refusing to send to private address (127\.0\.0\.1|::1) \(set allow_private: true on the receiver to allow it\)/);
    assert.equal(await privateTargetReason('[::1]'), 'refusing to send to private address ::1 (set allow_private: true on the receiver to allow it)');
  });

  it('a webhook to a private address fails without a request and without retrying; allow_private lets it through', async () => {
    const { createServer } = await import('node:http');
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const payload = { id: 'n-x', kind: 'alerts', receiver: 'r', status: 'firing', groupKey: 'k', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, alerts: [], externalUrl: 'http://x' } as const;
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
        const err = await new WebhookNotifier({ url, format: 'standard', allowPrivate: false, headers: {}, timeoutMs: 2000 }).send({ ...payload, alerts: [] }, AbortSignal.timeout(2000)).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof NotifyError, `${url}: ${String(err)}`);
        assert.equal(err.retryable, false, url);
        assert.match(err.message, /refusing to send to private address/);
      }
      assert.equal(requests, 0, 'nothing reached the private server');
      await new WebhookNotifier({ url: `http://127.0.0.1:${port}/`, format: 'standard', allowPrivate: true, headers: {}, timeoutMs: 2000 }).send({ ...payload, alerts: [] }, AbortSignal.timeout(2000));
      assert.equal(requests, 1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a name that resolves to a public address at the check and to loopback at connect (DNS rebinding) is refused', async (t) => {
    // The real module objects (an `import()` here would give a copy the notifier does not use).
    const dns = require('node:dns') as typeof import('node:dns');
    const dnsPromises = require('node:dns/promises') as typeof import('node:dns/promises');
    // The policy check's answer: a public address. The connection's answer: loopback.
    t.mock.method(dnsPromises, 'lookup', async () => [{ address: '93.184.215.14', family: 4 }]);
    t.mock.method(dns, 'lookup', (_host: string, opts: unknown, callback?: (...a: unknown[]) => void) => {
      const cb = (typeof opts === 'function' ? opts : callback) as (...a: unknown[]) => void;
      const all = typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all;
      process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
    });
    const { createServer } = require('node:http') as typeof import('node:http');
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const payload = { id: 'n-x', kind: 'alerts', receiver: 'r', status: 'firing', groupKey: 'k', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, alerts: [], externalUrl: 'http://x' } as const;
      const err = await new WebhookNotifier({ url: `http://rebind.example:${port}/`, format: 'standard', allowPrivate: false, headers: {}, timeoutMs: 2000 })
        .send({ ...payload, alerts: [] }, AbortSignal.timeout(2000))
        .then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof NotifyError, String(err));
      assert.equal(err.retryable, false);
      assert.match(err.message, /refusing to send to private address 127\.0\.0\.1/);
      assert.equal(requests, 0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
