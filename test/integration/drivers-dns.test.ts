import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import { response, startDnsServer, zoneHandler, type TestDnsServer, type Zone } from '../support/servers/dns';
import { timedProbe } from '../support/servers/probe';

const probe = (fields: Record<string, unknown>, timeoutMs?: number) => timedProbe('dns', fields, timeoutMs).then((r) => r.obs);

const ZONE: Zone = {
  'www.nines.test': [
    { type: 'A', name: 'www.nines.test', ttl: 60, data: '10.0.0.1' },
    { type: 'A', name: 'www.nines.test', ttl: 60, data: '10.0.0.2' },
    { type: 'AAAA', name: 'www.nines.test', ttl: 60, data: 'fd00::1' },
  ],
  'nines.test': [
    { type: 'MX', name: 'nines.test', ttl: 60, data: { preference: 10, exchange: 'mx1.nines.test' } },
    { type: 'MX', name: 'nines.test', ttl: 60, data: { preference: 20, exchange: 'mx2.nines.test' } },
    { type: 'TXT', name: 'nines.test', ttl: 60, data: ['v=spf1 ip4:10.0.0.0/8 ', '-all'] },
    { type: 'TXT', name: 'nines.test', ttl: 60, data: 'google-site-verification=abc' },
  ],
  'zone.nines.test': [
    { type: 'SOA', name: 'zone.nines.test', ttl: 60, data: { mname: 'ns1.nines.test', rname: 'hostmaster.nines.test', serial: 2024060101, refresh: 3600, retry: 600, expire: 86400, minimum: 60 } },
    { type: 'NS', name: 'zone.nines.test', ttl: 60, data: 'ns1.nines.test' },
    { type: 'NS', name: 'zone.nines.test', ttl: 60, data: 'ns2.nines.test' },
    { type: 'CAA', name: 'zone.nines.test', ttl: 60, data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } },
  ],
  '1.0.0.10.in-addr.arpa': [{ type: 'PTR', name: '1.0.0.10.in-addr.arpa', ttl: 60, data: 'www.nines.test' }],
  'db.nines.test': [{ type: 'CNAME', name: 'db.nines.test', ttl: 60, data: 'pg1.nines.test' }],
  '_pg._tcp.nines.test': [{ type: 'SRV', name: '_pg._tcp.nines.test', ttl: 60, data: { priority: 0, weight: 5, port: 5432, target: 'pg1.nines.test' } }],
};

describe('dns driver against a real UDP DNS server', () => {
  let zone: TestDnsServer;
  let servfail: TestDnsServer;
  let refused: TestDnsServer;
  let silent: TestDnsServer;
  let garbage: TestDnsServer;
  let wrongId: TestDnsServer;

  before(async () => {
    zone = await startDnsServer(zoneHandler(ZONE));
    servfail = await startDnsServer((q) => response(q, [], 'SERVFAIL'));
    refused = await startDnsServer((q) => response(q, [], 'REFUSED'));
    silent = await startDnsServer(() => undefined);
    // The query's own id, then bytes that are not a DNS message.
    garbage = await startDnsServer((_q, raw) => Buffer.concat([raw.subarray(0, 2), Buffer.from([0x81, 0x80, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef])]));
    wrongId = await startDnsServer((q) => ({ ...response(q, [{ type: 'A', name: q.questions![0].name, ttl: 60, data: '6.6.6.6' }]), id: ((q.id ?? 0) + 1) & 0xffff }));
  });

  after(async () => {
    await Promise.all([zone, servfail, refused, silent, garbage, wrongId].map((s) => s.close()));
  });

  test('A records resolve, and expect finds its address among them', async () => {
    const obs = await probe({ name: 'www.nines.test', server: zone.address, expect: ['10.0.0.2'] });
    assert.equal(obs.up, true, obs.reason);
    assert.deepEqual(obs.details, { answers: ['10.0.0.1', '10.0.0.2'] });
    const q = zone.queries.at(-1)!;
    assert.deepEqual(q.questions?.[0], { name: 'www.nines.test', type: 'A', class: 'IN' });
  });

  test('an expected address that is not served names it and the answers', async () => {
    const obs = await probe({ name: 'www.nines.test', server: zone.address, expect: ['10.0.0.9'] });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'expected 10.0.0.9 in answers, got 10.0.0.1, 10.0.0.2');
  });

  test('AAAA resolves', async () => {
    const obs = await probe({ name: 'www.nines.test', type: 'AAAA', server: zone.address, expect: ['fd00::1'] });
    assert.equal(obs.up, true, obs.reason);
  });

  test('NXDOMAIN is "NXDOMAIN: name"', async () => {
    const obs = await probe({ name: 'gone.nines.test', server: zone.address });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'NXDOMAIN: gone.nines.test');
  });

  test('a name without records of the type is "no TYPE records"', async () => {
    const obs = await probe({ name: 'www.nines.test', type: 'MX', server: zone.address });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'no MX records for www.nines.test');
  });

  test('SERVFAIL is reported as such', async () => {
    const obs = await probe({ name: 'www.nines.test', server: servfail.address });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'SERVFAIL');
  });

  test('REFUSED is reported as such', async () => {
    const obs = await probe({ name: 'www.nines.test', server: refused.address });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'query refused by server');
  });

  test('a server that never answers times out within the probe timeout', async () => {
    const { obs, ms } = await timedProbe('dns', { name: 'www.nines.test', server: silent.address }, 500);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'timeout after 500ms');
    assert.ok(ms >= 450 && ms < 1500, `returned after ${ms}ms`);
    assert.ok(silent.queries.length >= 1, 'the query reached the server');
  });

  test('a garbage response is a failed probe, not a crash', async () => {
    const obs = await probe({ name: 'www.nines.test', server: garbage.address }, 800);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'malformed DNS response');
  });

  test('a UDP port with no server is "connection refused"', async () => {
    const sock = dgram.createSocket('udp4');
    sock.bind(0, '127.0.0.1');
    await once(sock, 'listening');
    const port = sock.address().port;
    await new Promise<void>((r) => sock.close(() => r()));
    const obs = await probe({ name: 'www.nines.test', server: `127.0.0.1:${port}` }, 1000);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'connection refused');
  });

  test('a response with the wrong query id is ignored, not believed', async () => {
    const obs = await probe({ name: 'www.nines.test', server: wrongId.address, expect: ['6.6.6.6'] }, 500);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'timeout after 500ms');
  });

  test('a server given by host name is looked up before querying it', async (t) => {
    // The test server listens on 127.0.0.1 only; where localhost means ::1 first, it cannot be reached by name.
    if ((await lookup('localhost')).address !== '127.0.0.1') return t.skip('localhost does not resolve to 127.0.0.1 here');
    const obs = await probe({ name: 'www.nines.test', server: `localhost:${zone.port}`, expect: ['10.0.0.1'] });
    assert.equal(obs.up, true, obs.reason);
  });

  test('a server host name that does not resolve says so', async () => {
    const obs = await probe({ name: 'www.nines.test', server: 'no-such-dns-server.invalid:53' });
    assert.equal(obs.up, false);
    // ENOTFOUND, or EAI_AGAIN where the system resolver cannot reach its own servers.
    assert.match(obs.reason ?? '', /^cannot resolve DNS server no-such-dns-server\.invalid:53: DNS lookup (failed: no-such-dns-server\.invalid|timed out)$/);
  });

  test('MX answers read "priority exchange"', async () => {
    const obs = await probe({ name: 'nines.test', type: 'MX', server: zone.address, expect: ['10 mx1.nines.test', '20 MX2.nines.test'] });
    assert.equal(obs.up, true, obs.reason);
    assert.deepEqual(obs.details, { answers: ['10 mx1.nines.test', '20 mx2.nines.test'] });
  });

  test('TXT answers join their strings', async () => {
    const obs = await probe({ name: 'nines.test', type: 'TXT', server: zone.address, expect: ['v=spf1 ip4:10.0.0.0/8 -all'] });
    assert.equal(obs.up, true, obs.reason);
    assert.deepEqual(obs.details, { answers: ['v=spf1 ip4:10.0.0.0/8 -all', 'google-site-verification=abc'] });
  });

  test('SOA, NS, CAA and PTR answers', async () => {
    const soa = await probe({ name: 'zone.nines.test', type: 'SOA', server: zone.address, expect: ['ns1.nines.test 2024060101'] });
    assert.equal(soa.up, true, soa.reason);
    const ns = await probe({ name: 'zone.nines.test', type: 'NS', server: zone.address, expect: ['ns2.nines.test'] });
    assert.equal(ns.up, true, ns.reason);
    assert.deepEqual(ns.details, { answers: ['ns1.nines.test', 'ns2.nines.test'] });
    const caa = await probe({ name: 'zone.nines.test', type: 'CAA', server: zone.address });
    assert.equal(caa.up, true, caa.reason);
    assert.deepEqual(caa.details, { answers: ['0 issue letsencrypt.org'] });
    const ptr = await probe({ name: '1.0.0.10.in-addr.arpa', type: 'PTR', server: zone.address, expect: ['www.nines.test'] });
    assert.equal(ptr.up, true, ptr.reason);
  });

  test('CNAME and SRV answers', async () => {
    const cname = await probe({ name: 'db.nines.test', type: 'CNAME', server: zone.address, expect: ['pg1.nines.test'] });
    assert.equal(cname.up, true, cname.reason);
    const srv = await probe({ name: '_pg._tcp.nines.test', type: 'SRV', server: zone.address });
    assert.equal(srv.up, true, srv.reason);
    assert.deepEqual(srv.details, { answers: ['0 5 5432 pg1.nines.test'] });
  });
});
