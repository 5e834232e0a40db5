import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whereToLook } from './where-to-look';
import { describeRedis } from '../../../../libs/config/src/settings';

test('an all-roles process names the API, docs, metrics and readiness at its own URL', () => {
  const lines = whereToLook('http://127.0.0.1:9797', new Set(['api', 'prober', 'worker']));
  assert.match(lines[0], /^nines is up on http:\/\/127\.0\.0\.1:9797, roles api,prober,worker$/);
  assert.deepEqual(lines.slice(1).map((l) => l.trim().split(/\s+/)), [
    ['API', 'http://127.0.0.1:9797/api/v1/systems'],
    ['docs', 'http://127.0.0.1:9797/docs'],
    ['metrics', 'http://127.0.0.1:9797/metrics'],
    ['health', 'http://127.0.0.1:9797/readyz'],
  ]);
});

test('a prober-only process does not point at an API it does not serve', () => {
  const lines = whereToLook('http://127.0.0.1:40001', new Set(['prober']));
  assert.equal(lines.some((l) => l.includes('/api/v1') || l.includes('/docs')), false);
  assert.equal(lines.some((l) => l.includes('http://127.0.0.1:40001/metrics')), true);
});

test('a wildcard listener is shown with the loopback address to open from this machine', () => {
  const lines = whereToLook('http://0.0.0.0:9797', new Set(['api']));
  assert.match(lines[0], /all addresses; from this machine http:\/\/127\.0\.0\.1:9797/);
  assert.ok(lines.includes('  API      http://127.0.0.1:9797/api/v1/systems'));
  assert.ok(whereToLook('http://[::]:9797', new Set(['api'])).includes('  docs     http://[::1]:9797/docs'));
});

test('the Redis line names the Sentinel master and Sentinels, or the URL without its password', () => {
  const sentinel = whereToLook('http://127.0.0.1:9797', new Set(['worker']), { redis: describeRedis({ kind: 'sentinel', sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }], master: 'nines', sentinelPassword: 'sentinel-pw-1', password: 'data-pw-1' }) });
  assert.equal(sentinel.at(-1), '  redis    Sentinel master "nines" via 10.0.0.1:26379,[::1]:26380');
  const url = whereToLook('http://127.0.0.1:9797', new Set(['worker']), { redis: describeRedis({ kind: 'url', url: 'redis://:data-pw-1@10.0.0.9:6379/2' }) });
  assert.equal(url.at(-1), '  redis    redis://:***@10.0.0.9:6379/2');
  assert.ok(![...sentinel, ...url].some((l) => l.includes('pw-1')));
});
