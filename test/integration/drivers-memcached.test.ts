import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { timedProbe } from '../support/servers/probe';
import { startMemcached } from '../support/servers/memcached';
import { closedPort, startReplyServer, startSilentServer, type TestServer } from '../support/servers/tcp';

const probe = (fields: Record<string, unknown>, timeoutMs = 2000) => timedProbe('memcached', fields, timeoutMs);

function memcachedCommand(port: number, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(cmd));
    s.setEncoding('latin1');
    s.once('data', (d: string) => {
      s.destroy();
      resolve(d);
    });
    s.on('error', reject);
  });
}

describe('memcached driver', () => {
  let mc: Awaited<ReturnType<typeof startMemcached>>;
  let full: Awaited<ReturnType<typeof startMemcached>>;
  const fakes: TestServer[] = [];
  let silent: TestServer;
  let http: TestServer;
  let error: TestServer;

  before(async () => {
    mc = await startMemcached();
    // Few connections allowed (24 is the least one thread starts with), so the probe can be refused.
    full = await startMemcached(['-c', '24', '-t', '1']);
    silent = await startSilentServer();
    http = await startReplyServer('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n', { when: 'data', thenClose: true });
    error = await startReplyServer('ERROR\r\n', { when: 'data' });
    fakes.push(silent, http, error);
  });

  after(async () => {
    await mc?.kill();
    await full?.kill();
    await Promise.all(fakes.map((f) => f.close()));
  });

  test('a real memcached is up with its version, uptime and hit counters', async () => {
    await memcachedCommand(mc.port, 'set k 0 0 1\r\nv\r\n');
    await memcachedCommand(mc.port, 'get k\r\n');
    await memcachedCommand(mc.port, 'get missing\r\n');
    const { obs } = await probe({ address: mc.address });
    assert.equal(obs.up, true, obs.reason);
    const d = obs.details as Record<string, number | string>;
    assert.match(String(d.version), /^1\.\d+\.\d+/);
    assert.equal(typeof d.uptime, 'number');
    assert.ok(Number(d.curr_connections) >= 1);
    assert.equal(d.get_hits, 1);
    assert.equal(d.get_misses, 1);
    assert.equal(d.hit_ratio, 0.5);
    assert.equal(d.evictions, 0);
  });

  test('connection refused', async () => {
    const { obs } = await probe({ address: `127.0.0.1:${await closedPort()}` });
    assert.deepEqual([obs.up, obs.reason], [false, 'connection refused']);
  });

  test('a silent server times out', async () => {
    const { obs, ms } = await probe({ address: silent.address }, 500);
    assert.deepEqual([obs.up, obs.reason], [false, 'timeout after 500ms']);
    assert.ok(ms < 1500);
  });

  test('an HTTP server is a protocol error, at once', async () => {
    const { obs, ms } = await probe({ address: http.address });
    assert.deepEqual([obs.up, obs.reason], [false, 'protocol error: not a memcached reply (starts with "HTTP/1.1 400 Bad Request")']);
    assert.ok(ms < 1000);
  });

  test('a server answering ERROR is a protocol error', async () => {
    const { obs } = await probe({ address: error.address });
    assert.deepEqual([obs.up, obs.reason], [false, 'protocol error: server answered ERROR to stats']);
  });

  test('a memcached at its connection limit: the probe says so', async () => {
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const s = net.connect(full.port, '127.0.0.1');
        s.on('error', () => undefined);
        held.push(s);
      }
      await new Promise((r) => setTimeout(r, 300));
      const { obs } = await probe({ address: full.address }, 1000);
      // memcached answers the connection over its limit with one error line and hangs up.
      assert.deepEqual([obs.up, obs.reason], [false, 'server error: Too many open connections']);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});
