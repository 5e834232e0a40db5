import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretCluster, parseClusterNodes, redisClusterSchema } from './redis-cluster.driver';
import { INFO_OK, NODES_OK } from './redis-cluster.fixtures';

test('a healthy 3+3 cluster: up, epoch is the current epoch, slot ranges with master and replica', () => {
  const obs = interpretCluster(INFO_OK, NODES_OK, '127.0.0.1:27001');
  assert.equal(obs.up, true);
  assert.equal(obs.epoch, '6');
  assert.equal(obs.warning, undefined);
  assert.deepEqual(obs.details?.slot_masters, [
    { range: '0-5460', master: '127.0.0.1:27001', replicas: ['127.0.0.1:27005'] },
    { range: '5461-10922', master: '127.0.0.1:27002', replicas: ['127.0.0.1:27006'] },
    { range: '10923-16383', master: '127.0.0.1:27003', replicas: ['127.0.0.1:27004'] },
  ]);
  assert.equal(obs.peers?.length, 6);
  const me = obs.peers?.find((p) => p.id === '127.0.0.1:27001');
  assert.deepEqual([me?.role, me?.state, me?.details?.myself], ['primary', 'connected', true]);
  const rep = obs.peers?.find((p) => p.id === '127.0.0.1:27004');
  assert.deepEqual([rep?.role, rep?.details?.master], ['replica', '127.0.0.1:27003']);
  assert.equal(obs.details?.slots_ok, 16384);
  assert.equal(obs.details?.known_nodes, 6);
});

test('a master without replicas is a warning', () => {
  const nodes = NODES_OK.split('\n').filter((l) => !l.includes('27004')).join('\n');
  const obs = interpretCluster(INFO_OK, nodes);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'master 127.0.0.1:27003 has no replica');
});

test('parses hostnames, noaddr nodes and skips migrating markers', () => {
  const [n] = parseClusterNodes('e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001,node-a.example myself,master - 0 0 1 connected 0-100 [101->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f] 200');
  assert.deepEqual([n.address, n.hostname, n.slots], ['127.0.0.1:30001', 'node-a.example', ['0-100', '200']]);
  const [x] = parseClusterNodes('e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca :0@0 master,noaddr - 0 0 0 disconnected');
  assert.equal(x.address, undefined);
  const obs = interpretCluster(INFO_OK, NODES_OK + 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca :0@0 master,fail,noaddr - 0 0 0 disconnected\n');
  assert.match(obs.warning ?? '', /master node e7d1eecc \(no address\) is fail/);
});

test('schema: unknown fields and bad addresses are config errors', () => {
  assert.equal(redisClusterSchema.safeParse({ nodes: ['127.0.0.1:7000'] }).success, true);
  assert.equal(redisClusterSchema.safeParse({ nodes: ['127.0.0.1:7000'], url: 'redis://x' }).success, false);
  assert.equal(redisClusterSchema.safeParse({ nodes: ['127.0.0.1'] }).success, false);
  assert.equal(redisClusterSchema.safeParse({ nodes: [] }).success, false);
});
