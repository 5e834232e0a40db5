import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretSentinelViews, redisSentinelSchema } from './redis-sentinel.driver';
import { healthyView } from './redis-sentinel.fixtures';

const S = ['127.0.0.1:26381', '127.0.0.1:26382', '127.0.0.1:26383'];

test('three sentinels agreeing on a master with a healthy replica: up, no warning', () => {
  const obs = interpretSentinelViews('lab-redis', S.map((a) => healthyView(a)));
  assert.equal(obs.up, true);
  assert.equal(obs.leader, '127.0.0.1:26379');
  assert.equal(obs.epoch, '0');
  assert.equal(obs.warning, undefined);
  assert.deepEqual(
    obs.peers?.map((p) => [p.id, p.role, p.state]),
    [
      ['127.0.0.1:26379', 'primary', 'ok'],
      ['127.0.0.1:26380', 'replica', 'ok'],
    ],
  );
  assert.equal(obs.details?.sentinels_agreeing, 3);
  assert.equal((obs.details?.sentinels as unknown[]).length, 3);
});

test('lag in bytes comes from the master\'s own ROLE offsets', () => {
  const obs = interpretSentinelViews('lab-redis', S.map((a) => healthyView(a)), { role: 'master', offset: 16000, replicaOffsets: { '127.0.0.1:26380': 15321 } });
  assert.equal(obs.peers?.[1].lagBytes, 679);
  assert.equal(obs.warning, undefined);
});

test('the agreed master reporting role slave is a warning', () => {
  const obs = interpretSentinelViews('lab-redis', S.map((a) => healthyView(a)), { role: 'slave' });
  assert.equal(obs.up, true);
  assert.match(obs.warning ?? '', /reports role slave/);
});

test('no replica: up, but nothing to fail over to', () => {
  const obs = interpretSentinelViews('lab-redis', S.map((a) => healthyView(a, { replicas: [] })));
  assert.equal(obs.up, true);
  assert.match(obs.warning ?? '', /nothing to fail over to/);
});

test('schema: unknown fields and an empty sentinel list are config errors', () => {
  assert.equal(redisSentinelSchema.safeParse({ sentinels: S, master: 'lab-redis' }).success, true);
  assert.equal(redisSentinelSchema.safeParse({ sentinels: S, master: 'lab-redis', pasword: 'x' }).success, false);
  assert.equal(redisSentinelSchema.safeParse({ sentinels: [], master: 'lab-redis' }).success, false);
  assert.equal(redisSentinelSchema.safeParse({ sentinels: ['nohost'], master: 'lab-redis' }).success, false);
});
