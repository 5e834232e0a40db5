import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretCluster } from './redis-cluster.driver';
import { INFO_FAIL, INFO_OK, NODES_FAILED_MASTER } from './redis-cluster.fixtures';

test('a failed master whose replica could not take over: cluster_state fail, the master named', () => {
  const obs = interpretCluster(INFO_FAIL, NODES_FAILED_MASTER, '127.0.0.1:27001');
  assert.equal(obs.up, false);
  assert.equal(obs.reason, 'cluster_state is fail (5461 slots fail)');
  const dead = obs.peers?.find((p) => p.id === '127.0.0.1:27003');
  assert.deepEqual([dead?.role, dead?.state], ['primary', 'fail']);
  assert.match(obs.warning ?? '', /master 127\.0\.0\.1:27003 is fail/);
  assert.equal(obs.details?.slots_fail, 5461);
});

test('pfail nodes warn while the cluster is still ok', () => {
  const nodes = NODES_FAILED_MASTER.replace('master,fail', 'master,fail?');
  const obs = interpretCluster(INFO_OK, nodes);
  assert.equal(obs.up, true);
  assert.match(obs.warning ?? '', /^master 127\.0\.0\.1:27003 is pfail/);
});

test('after a failover: the promoted replica serves the range, the old master is a failed master without slots', () => {
  const nodes = NODES_FAILED_MASTER.replace(
    '8abe88d73500fdf1d03ddf212bb30099a505e0cd 127.0.0.1:27004@37004 slave a94e6e671ada8c861d31d77b65253eb87941b3ae 0 1795341197004 3 connected',
    '8abe88d73500fdf1d03ddf212bb30099a505e0cd 127.0.0.1:27004@37004 master - 0 1795341197004 7 connected 10923-16383',
  ).replace('master,fail - 1795341192872 1795341192370 3 disconnected 10923-16383', 'master,fail - 1795341192872 1795341192370 3 disconnected');
  const obs = interpretCluster(INFO_OK.replace('cluster_current_epoch:6', 'cluster_current_epoch:7'), nodes);
  assert.equal(obs.up, true);
  assert.equal(obs.epoch, '7');
  assert.deepEqual((obs.details?.slot_masters as { range: string; master: string }[])[2], { range: '10923-16383', master: '127.0.0.1:27004', replicas: [] });
  assert.equal(obs.warning, 'master 127.0.0.1:27003 is fail; master 127.0.0.1:27004 has no replica');
});

test('garbage instead of CLUSTER output is a protocol error', () => {
  assert.deepEqual(interpretCluster('hello', 'world'), { up: false, reason: 'protocol error: CLUSTER INFO has no cluster_state' });
});
