import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretSentinelViews } from './redis-sentinel.driver';
import { healthyView, MASTER_TABLE, REPLICA_DOWN, REPLICA_OK } from './redis-sentinel.fixtures';

test('two of three agree, one names another master: up with a warning naming the odd one out', () => {
  const obs = interpretSentinelViews('lab-redis', [
    healthyView('127.0.0.1:26381'),
    healthyView('127.0.0.1:26382'),
    healthyView('127.0.0.1:26383', { addr: '127.0.0.1:26380', master: { ...MASTER_TABLE, ip: '127.0.0.1', port: '26380', 'config-epoch': '1' } }),
  ]);
  assert.equal(obs.up, true);
  assert.equal(obs.leader, '127.0.0.1:26379');
  assert.match(obs.warning ?? '', /sentinel 127\.0\.0\.1:26383 says the master is 127\.0\.0\.1:26380/);
});

test('one each for two masters and one unreachable: down, no quorum on the master', () => {
  const obs = interpretSentinelViews('lab-redis', [
    healthyView('127.0.0.1:26381'),
    healthyView('127.0.0.1:26382', { addr: '127.0.0.1:26380' }),
    { address: '127.0.0.1:26383', error: 'connection refused' },
  ]);
  assert.equal(obs.up, false);
  assert.match(obs.reason ?? '', /^sentinels disagree on the master: 127\.0\.0\.1:26379 \(1\), 127\.0\.0\.1:26380 \(1\); 2 of 3 must agree$/);
});

test('one sentinel unreachable, two agree: up with a warning', () => {
  const obs = interpretSentinelViews('lab-redis', [healthyView('127.0.0.1:26381'), healthyView('127.0.0.1:26382'), { address: '127.0.0.1:26383', error: 'connection refused' }]);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'sentinel 127.0.0.1:26383 unreachable: connection refused');
});

test('all sentinels unreachable: down with the common reason', () => {
  const obs = interpretSentinelViews('lab-redis', ['a:1', 'b:2', 'c:3'].map((address) => ({ address, error: 'connection refused' })));
  assert.deepEqual([obs.up, obs.reason], [false, 'no sentinel reachable: connection refused']);
});

test('no sentinel monitors the name', () => {
  const obs = interpretSentinelViews('nope', [{ address: 'a:1', unknownMaster: true }]);
  assert.deepEqual([obs.up, obs.reason], [false, 'no sentinel monitors a master named "nope"']);
});

test('CKQUORUM failing everywhere: down with the sentinel\'s words', () => {
  const ck = { ok: false, message: 'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover' };
  const obs = interpretSentinelViews('lab-redis', [healthyView('a:1', { ckquorum: ck }), healthyView('b:2', { ckquorum: ck }), { address: 'c:3', error: 'timeout after 1.8s' }]);
  assert.equal(obs.up, false);
  assert.equal(obs.reason, `CKQUORUM failed: ${ck.message}`);
});

test('master o_down: down', () => {
  const odown = { ...MASTER_TABLE, flags: 's_down,o_down,master' };
  const obs = interpretSentinelViews('lab-redis', ['a:1', 'b:2', 'c:3'].map((a) => healthyView(a, { master: odown })));
  assert.deepEqual([obs.up, obs.reason], [false, 'master lab-redis at 127.0.0.1:26379 is o_down']);
});

test('after a failover the dead old master is listed as an s_down replica', () => {
  const after = { addr: '127.0.0.1:26380', master: { ...MASTER_TABLE, port: '26380', 'config-epoch': '1' }, replicas: [REPLICA_DOWN] };
  const obs = interpretSentinelViews('lab-redis', ['a:1', 'b:2', 'c:3'].map((a) => healthyView(a, after)));
  assert.equal(obs.up, true);
  assert.equal(obs.leader, '127.0.0.1:26380');
  assert.equal(obs.epoch, '1');
  const old = obs.peers?.find((p) => p.id === '127.0.0.1:26379');
  assert.equal(old?.state, 's_down,disconnected');
  assert.match(obs.warning ?? '', /replica 127\.0\.0\.1:26379: s_down,disconnected/);
  assert.match(obs.warning ?? '', /no healthy replica/);
});

test('a replica following someone other than the master is a warning', () => {
  const stray = { ...REPLICA_OK, 'master-host': '10.0.0.9', 'master-port': '6379' };
  const obs = interpretSentinelViews('lab-redis', ['a:1', 'b:2', 'c:3'].map((a) => healthyView(a, { replicas: [stray] })));
  assert.match(obs.warning ?? '', /replicates from 10\.0\.0\.9:6379, not 127\.0\.0\.1:26379/);
});

test('the named master refuses connections before the sentinels call it o_down: down, as clients see it', () => {
  const views = ['a:1', 'b:2', 'c:3'].map((a) => healthyView(a));
  const obs = interpretSentinelViews('lab-redis', views, { error: 'unreachable from Nines: connection refused', unreachable: true });
  assert.deepEqual([obs.up, obs.reason], [false, 'master lab-redis at 127.0.0.1:26379 (named by 3 of 3 sentinels) unreachable from Nines: connection refused']);
  assert.equal(obs.leader, '127.0.0.1:26379', 'the master the sentinels still name');
});

test("a master that refuses Nines' password, or answers ROLE oddly, is a warning: clients with the right password are served", () => {
  const views = ['a:1', 'b:2', 'c:3'].map((a) => healthyView(a));
  for (const error of ['authentication failed: invalid password', 'ROLE failed: ERR unknown command']) {
    const obs = interpretSentinelViews('lab-redis', views, { error });
    assert.equal(obs.up, true, error);
    assert.match(obs.warning ?? '', new RegExp(`master 127\\.0\\.0\\.1:26379: ${error}`));
  }
});
