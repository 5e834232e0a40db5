import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../libs/probes/src/observation';
import { redisUrlFor } from '../support/env';
import { timedProbe } from '../support/servers/probe';
import { startPrivateRedis, type PrivateRedis } from '../support/servers/redis';
import { closedPort, startReplyServer, startSilentServer, startTcpServer, startTlsServer, waitUntil, type TestServer } from '../support/servers/tcp';
import { certValidBetween } from '../support/servers/tls-cert';

const probe = (fields: Record<string, unknown>, timeoutMs?: number) => timedProbe('redis', fields, timeoutMs).then((r) => r.obs);

const PW = 's3cret-pass';

describe('redis driver', () => {
  test('the shared local Redis is up as primary (with a SELECTed database)', async () => {
    const obs = await probe({ url: redisUrlFor('drivers') });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.role, 'primary');
    assert.ok(Array.isArray(obs.peers));
  });

  test('a database index the server does not have is named in the reason', async () => {
    const obs = await probe({ url: 'redis://127.0.0.1:6379/99' });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'SELECT 99 failed: ERR DB index is out of range');
  });

  describe('replication between two private servers', () => {
    let a: PrivateRedis;
    let b: PrivateRedis;

    before(async () => {
      a = await startPrivateRedis(['--repl-diskless-sync-delay', '0']);
      b = await startPrivateRedis(['--replicaof', '127.0.0.1', String(a.port)]);
      await waitUntil('replica B to sync with A', async () => /master_link_status:up/.test(await b.command('INFO', 'replication')), 15_000);
      await a.command('SET', 'nines:probe', 'x'.repeat(1000));
      const written = Number(/master_repl_offset:(\d+)/.exec(await a.command('INFO', 'replication'))?.[1]);
      assert.ok(written > 0, 'A has a replication offset after the write');
      await waitUntil('B to receive the write', async () => Number(/slave_repl_offset:(\d+)/.exec(await b.command('INFO', 'replication'))?.[1]) >= written, 10_000);
      await waitUntil('A to see B online', async () => /slave0:.*state=online/.test(await a.command('INFO', 'replication')), 10_000);
    });

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });

    test('the replica reports role replica, its leader and its replication link', async () => {
      const obs = await probe({ url: b.url });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.role, 'replica');
      assert.equal(obs.leader, `127.0.0.1:${a.port}`);
      assert.equal(obs.warning, undefined);
      // Lag in seconds is the master's view (its peers below); the replica reports its link and offset.
      const d = obs.details as { master_link_status: string; master_last_io_seconds_ago: number; repl_offset: number; sync_in_progress: boolean };
      assert.equal(d.master_link_status, 'up');
      assert.ok(d.master_last_io_seconds_ago >= 0 && d.master_last_io_seconds_ago < 30, `last io ${d.master_last_io_seconds_ago}s ago`);
      assert.equal(d.sync_in_progress, false);
      assert.ok(d.repl_offset > 0);
    });

    test('the primary lists the replica as a peer with its lag in bytes', async () => {
      const obs = await probe({ url: a.url });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.role, 'primary');
      assert.equal(obs.peers?.length, 1);
      const [peer] = obs.peers!;
      assert.equal(peer.id, `127.0.0.1:${b.port}`);
      assert.equal(peer.role, 'replica');
      assert.equal(peer.state, 'online');
      assert.equal(typeof peer.lagBytes, 'number');
      assert.ok(peer.lagBytes! >= 0);
      assert.equal(typeof peer.lagSeconds, 'number');
      assert.equal((obs.details as { connected_replicas: number }).connected_replicas, 1);
    });

    test('when the primary dies the replica stays up with a link-down warning', async () => {
      await a.stop();
      let obs: Observation | undefined;
      await waitUntil('the replica to notice its master is gone', async () => {
        obs = await probe({ url: b.url });
        return obs.warning !== undefined;
      });
      assert.equal(obs!.up, true, obs!.reason);
      assert.equal(obs!.role, 'replica');
      assert.equal(obs!.leader, `127.0.0.1:${a.port}`);
      assert.equal(obs!.warning, `replication link to 127.0.0.1:${a.port} is down`);
      assert.equal(obs!.lagSeconds, undefined, 'no lag figure while the link is down');
    });
  });

  describe('authentication', () => {
    let locked: PrivateRedis;

    before(async () => {
      locked = await startPrivateRedis(['--requirepass', PW], PW);
    });

    after(async () => {
      await locked?.stop();
    });

    test('no password is "authentication required"', async () => {
      const obs = await probe({ url: locked.url });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'authentication required (no password in url)');
    });

    test('a wrong password is "authentication failed" and never shows the password', async () => {
      const wrong = `wrong-${PW}`;
      const obs = await probe({ url: `redis://:${wrong}@127.0.0.1:${locked.port}` });
      assert.equal(obs.up, false);
      assert.match(obs.reason ?? '', /^authentication failed: /);
      assert.ok(!JSON.stringify(obs).includes(wrong));
      const named = await probe({ url: `redis://default:${wrong}@127.0.0.1:${locked.port}` });
      assert.equal(named.up, false);
      assert.match(named.reason ?? '', /^authentication failed: /);
      assert.ok(!JSON.stringify(named).includes(wrong));
    });

    test('the right password is up, with or without the default user name', async () => {
      const obs = await probe({ url: `redis://:${PW}@127.0.0.1:${locked.port}` });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.role, 'primary');
      const named = await probe({ url: `redis://default:${PW}@127.0.0.1:${locked.port}/0` });
      assert.equal(named.up, true, named.reason);
    });

    test('a password the server does not need is up with a warning, as with the default user name', async () => {
      const obs = await probe({ url: `redis://:${PW}@127.0.0.1:6379/4` });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.role, 'primary');
      assert.equal(obs.warning, 'the URL has a password but the server does not require one');
      assert.ok(!JSON.stringify(obs).includes(PW));
      const named = await probe({ url: `redis://default:${PW}@127.0.0.1:6379/4` });
      assert.equal(named.up, true, named.reason);
    });

    test('a password with URL-escaped characters is decoded before AUTH', async () => {
      const odd = await startPrivateRedis(['--requirepass', 'p@ss:w/rd%'], 'p@ss:w/rd%');
      try {
        const obs = await probe({ url: `redis://:${encodeURIComponent('p@ss:w/rd%')}@127.0.0.1:${odd.port}` });
        assert.equal(obs.up, true, obs.reason);
      } finally {
        await odd.stop();
      }
    });
  });

  describe('servers that are not Redis', () => {
    const servers: TestServer[] = [];
    let httpish: TestServer;
    let truncated: TestServer;
    let silent: TestServer;
    let errorReply: TestServer;

    before(async () => {
      httpish = await startReplyServer('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', { when: 'data' });
      truncated = await startReplyServer('$2000\r\n# Replication\r\nrole:mas', { when: 'data', thenClose: true });
      silent = await startSilentServer();
      errorReply = await startTcpServer((s) => s.on('data', () => s.write('-ERR unknown command `INFO`\r\n')));
      servers.push(httpish, truncated, silent, errorReply);
    });

    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });

    test('a closed port is "connection refused"', async () => {
      const obs = await probe({ url: `redis://127.0.0.1:${await closedPort()}` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'connection refused');
    });

    test('an HTTP answer is a protocol error', async () => {
      const obs = await probe({ url: `redis://${httpish.address}` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'protocol error: not a Redis reply (starts with "HTTP/1.1 200")');
    });

    test('a truncated reply and a close is a failed probe, not a crash', async () => {
      const obs = await probe({ url: `redis://${truncated.address}` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'connection closed by peer');
    });

    test('an error reply to INFO is reported', async () => {
      const obs = await probe({ url: `redis://${errorReply.address}` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'INFO failed: ERR unknown command `INFO`');
    });

    test('a server that accepts and says nothing times out, and the socket is closed', async () => {
      const { obs, ms } = await timedProbe('redis', { url: `redis://${silent.address}` }, 500);
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'timeout after 500ms');
      assert.ok(ms >= 450 && ms < 1500, `returned after ${ms}ms`);
      await waitUntil('the probe to close its socket after the timeout', () => silent.openConnections() === 0, 2000);
    });

    test('rediss:// speaks TLS: verified against a self-signed certificate it fails, unverified it reads INFO', async () => {
      const info = '# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:42\r\n';
      const tlsRedis = await startTlsServer(certValidBetween(-1, 30), (s) => s.on('data', () => s.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`)));
      servers.push(tlsRedis);
      const verified = await probe({ url: `rediss://${tlsRedis.address}` });
      assert.equal(verified.up, false);
      assert.equal(verified.reason, 'TLS certificate is self-signed');
      const unverified = await probe({ url: `rediss://${tlsRedis.address}`, tls_verify: false });
      assert.equal(unverified.up, true, unverified.reason);
      assert.equal(unverified.role, 'primary');
      assert.equal((unverified.details as { repl_offset: number }).repl_offset, 42);
    });

    test('a password in the URL never appears in any observation', async () => {
      const auth = `:${PW}@`;
      const port = await closedPort();
      const cases: [string, string, number?][] = [
        ['refused', `redis://${auth}127.0.0.1:${port}`],
        ['not redis', `redis://${auth}${httpish.address}`],
        ['truncated', `redis://${auth}${truncated.address}`],
        ['error reply', `redis://${auth}${errorReply.address}`],
        ['timeout', `redis://${auth}${silent.address}`, 300],
        ['no password needed', `redis://${auth}127.0.0.1:6379/4`],
        // Redis reads a TLS ClientHello as an unfinished inline command and waits: a timeout.
        ['tls to a plain port', `rediss://${auth}127.0.0.1:6379`, 300],
      ];
      const results = await Promise.all(cases.map(([, url, timeout]) => probe({ url }, timeout)));
      cases.forEach(([name], i) => {
        const json = JSON.stringify(results[i]);
        assert.ok(!json.includes(PW), `${name}: observation leaks the password: ${json}`);
      });
    });
  });
});
