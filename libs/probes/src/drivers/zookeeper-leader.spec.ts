import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminCommandUrl, interpretZk, viewFromAdmin, viewFromFourLetterWords, zookeeperSchema } from './zookeeper.driver';
import { ADMIN_MNTR_LEADER, ADMIN_SRVR_LEADER, MNTR_FOLLOWER, MNTR_LEADER, SRVR_FOLLOWER, SRVR_LEADER } from './zookeeper.fixtures';

test('srvr + mntr of a leader: role leader, epoch from the zxid, followers in sync', () => {
  const obs = interpretZk(viewFromFourLetterWords(SRVR_LEADER, MNTR_LEADER));
  assert.equal(obs.up, true);
  assert.equal(obs.role, 'leader');
  assert.equal(obs.epoch, '1');
  assert.equal(obs.warning, undefined);
  assert.deepEqual(obs.details, {
    mode: 'leader',
    version: '3.8.0-${mvngit.commit.id}',
    zxid: '0x100000000',
    zxid_epoch: 1,
    zxid_counter: 0,
    latency_min_ms: 0,
    latency_avg_ms: 0,
    latency_max_ms: 0,
    outstanding_requests: 0,
    connections: 1,
    node_count: 5,
    synced_followers: 2,
    synced_observers: 0,
    learners: 2,
    pending_syncs: 0,
    quorum_size: 3,
    peer_state: 'leading - broadcast',
  });
});

test('a leader with a follower out of sync warns', () => {
  const obs = interpretZk(viewFromFourLetterWords(SRVR_LEADER, MNTR_LEADER.replace('zk_synced_followers\t2', 'zk_synced_followers\t1')));
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'only 1 of 2 followers in sync');
});

test('a follower, and a follower still synchronizing', () => {
  const obs = interpretZk(viewFromFourLetterWords(SRVR_FOLLOWER, MNTR_FOLLOWER));
  assert.deepEqual([obs.up, obs.role, obs.epoch, obs.warning], [true, 'follower', '0', undefined]);
  const syncing = interpretZk(viewFromFourLetterWords(SRVR_FOLLOWER, MNTR_FOLLOWER.replace('following - broadcast', 'following - synchronization')));
  assert.equal(syncing.warning, 'peer state following - synchronization');
});

test('observer and standalone modes map to their roles; a big zxid keeps its epoch exact', () => {
  const obs = interpretZk(viewFromFourLetterWords(SRVR_FOLLOWER.replace('Mode: follower', 'Mode: observer').replace('Zxid: 0x0', 'Zxid: 0x2a0000beef')));
  assert.deepEqual([obs.role, obs.epoch, obs.details?.zxid_counter], ['observer', '42', 0xbeef]);
  assert.equal(interpretZk(viewFromFourLetterWords(SRVR_FOLLOWER.replace('Mode: follower', 'Mode: standalone'))).role, 'standalone');
  const ro = interpretZk(viewFromFourLetterWords(SRVR_FOLLOWER.replace('Mode: follower', 'Mode: read-only')));
  assert.deepEqual([ro.up, ro.role, ro.warning], [true, 'unknown', 'read-only mode: partitioned from the quorum, serving reads only']);
});

test('AdminServer JSON of a leader: same reading as the four-letter words', () => {
  const obs = interpretZk(viewFromAdmin(ADMIN_SRVR_LEADER, ADMIN_MNTR_LEADER));
  assert.deepEqual([obs.up, obs.role, obs.epoch], [true, 'leader', '2']);
  assert.equal(obs.details?.zxid, '0x200000000');
  assert.equal(obs.warning, 'only 1 of 2 followers in sync');
});

test('admin_url with or without /commands', () => {
  assert.equal(adminCommandUrl('http://127.0.0.1:8080', 'srvr').toString(), 'http://127.0.0.1:8080/commands/srvr');
  assert.equal(adminCommandUrl('http://127.0.0.1:8080/commands/', 'mntr').toString(), 'http://127.0.0.1:8080/commands/mntr');
  assert.equal(adminCommandUrl('http://127.0.0.1:8080/zk', 'mntr').toString(), 'http://127.0.0.1:8080/zk/commands/mntr');
});

test('schema: exactly one of address or admin_url, nothing unknown', () => {
  assert.equal(zookeeperSchema.safeParse({ address: '127.0.0.1:2181' }).success, true);
  assert.equal(zookeeperSchema.safeParse({ admin_url: 'http://127.0.0.1:8080' }).success, true);
  assert.equal(zookeeperSchema.safeParse({}).success, false);
  assert.equal(zookeeperSchema.safeParse({ address: '127.0.0.1:2181', admin_url: 'http://127.0.0.1:8080' }).success, false);
  assert.equal(zookeeperSchema.safeParse({ address: '127.0.0.1:2181', path: '/x' }).success, false);
  assert.equal(zookeeperSchema.safeParse({ admin_url: 'ftp://127.0.0.1' }).success, false);
});
