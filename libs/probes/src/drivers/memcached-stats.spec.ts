import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretMemcachedStats, memcachedSchema, statsReplyComplete } from './memcached.driver';

/** Recorded from memcached 1.6.18 (trimmed to the lines the driver reads plus a few neighbours). */
const STATS = [
  'STAT pid 27685',
  'STAT uptime 3605',
  'STAT time 1795341332',
  'STAT version 1.6.18',
  'STAT libevent 2.1.12-stable',
  'STAT pointer_size 64',
  'STAT max_connections 1024',
  'STAT curr_connections 12',
  'STAT total_connections 1381',
  'STAT rejected_connections 0',
  'STAT get_hits 9120',
  'STAT get_misses 880',
  'STAT limit_maxbytes 67108864',
  'STAT accepting_conns 1',
  'STAT threads 4',
  'STAT bytes 1048576',
  'STAT curr_items 2048',
  'STAT evictions 17',
  'END',
  '',
].join('\r\n');

test('stats of a healthy memcached: up with the numbers an SRE looks at', () => {
  assert.equal(statsReplyComplete(STATS), true);
  const obs = interpretMemcachedStats(STATS);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, undefined);
  assert.deepEqual(obs.details, {
    version: '1.6.18',
    uptime: 3605,
    curr_connections: 12,
    max_connections: 1024,
    total_connections: 1381,
    rejected_connections: 0,
    evictions: 17,
    get_hits: 9120,
    get_misses: 880,
    curr_items: 2048,
    bytes: 1048576,
    limit_maxbytes: 67108864,
    threads: 4,
    hit_ratio: 0.912,
  });
});

test('not accepting connections (maxconns reached) is a warning', () => {
  const obs = interpretMemcachedStats(STATS.replace('accepting_conns 1', 'accepting_conns 0').replace('curr_connections 12', 'curr_connections 1024'));
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'not accepting new connections (1024 of max 1024 in use)');
});

test('a partial reply is not complete yet', () => {
  assert.equal(statsReplyComplete('STAT pid 1\r\nSTAT upt'), false);
  assert.equal(statsReplyComplete('STAT'), false);
});

test('ERROR, SERVER_ERROR and garbage are failed probes with a clear reason', () => {
  assert.deepEqual(interpretMemcachedStats('ERROR\r\n'), { up: false, reason: 'protocol error: server answered ERROR to stats' });
  assert.deepEqual(interpretMemcachedStats('SERVER_ERROR out of memory\r\n'), { up: false, reason: 'server error: out of memory' });
  assert.equal(statsReplyComplete('ERROR Too many open connections\r\n'), true);
  assert.deepEqual(interpretMemcachedStats('ERROR Too many open connections\r\n'), { up: false, reason: 'server error: Too many open connections' });
  const http = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n';
  assert.equal(statsReplyComplete(http), true, 'garbage completes at once instead of waiting for END');
  assert.deepEqual(interpretMemcachedStats(http), { up: false, reason: 'protocol error: not a memcached reply (starts with "HTTP/1.1 400 Bad Request")' });
  assert.deepEqual(interpretMemcachedStats('STAT pid 1\r\nhello world\r\nEND\r\n'), { up: false, reason: 'protocol error: unexpected line "hello world"' });
});

test('schema: address is host:port, nothing else', () => {
  assert.equal(memcachedSchema.safeParse({ address: '127.0.0.1:11211' }).success, true);
  assert.equal(memcachedSchema.safeParse({ address: '127.0.0.1' }).success, false);
  assert.equal(memcachedSchema.safeParse({ address: '127.0.0.1:11211', url: 'x' }).success, false);
});
