import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { consulPeers, interpretInstances, nacosPeers, registryDriver, registrySchema, zkChildToPeer } from './registry.driver';

test('count against min_instances; the reason says both', () => {
  assert.deepEqual(interpretInstances([{ id: 'a' }, { id: 'b' }], 3), {
    up: false,
    reason: '2 of min 3 instances',
    peers: [{ id: 'a' }, { id: 'b' }],
    details: { instances: 2, min_instances: 3 },
  });
  assert.equal(interpretInstances([], 0).up, true);
});

test('zookeeper: Dubbo provider znodes are URL-encoded URLs, named by host:port', () => {
  const child = encodeURIComponent('dubbo://10.0.0.11:20880/com.acme.Orders?anyhost=true&application=orders&side=provider');
  assert.deepEqual(zkChildToPeer(child).id, '10.0.0.11:20880');
  assert.deepEqual(zkChildToPeer('member_0000000003'), { id: 'member_0000000003', state: 'registered' });
  assert.equal(zkChildToPeer('%E0%A4%A').id, '%E0%A4%A'); // malformed escapes: keep the raw name
});

test('consul entries: service address, else node address', () => {
  const peers = consulPeers([
    { Node: { Node: 'foobar', Address: '10.1.10.12', Datacenter: 'dc1' }, Service: { ID: 'redis', Service: 'redis', Address: '', Port: 8000, Tags: ['primary'] } },
    { Node: { Node: 'foobaz', Address: '10.1.10.13' }, Service: { ID: 'redis2', Service: 'redis', Address: '10.9.9.9', Port: 8001, Tags: null } },
  ]);
  assert.deepEqual(peers.map((p) => p.id), ['10.1.10.12:8000', '10.9.9.9:8001']);
});

test('nacos hosts: unhealthy or disabled instances do not count', () => {
  const peers = nacosPeers({
    hosts: [
      { ip: '10.10.10.10', port: 8888, healthy: true, enabled: true },
      { ip: '10.10.10.11', port: 8888, healthy: false, enabled: true },
      { ip: '10.10.10.12', port: 8888, healthy: true, enabled: false },
    ],
  });
  assert.deepEqual(peers.map((p) => p.id), ['10.10.10.10:8888']);
});

test('schema: fields follow the backend; unknown fields and a bad backend are config errors', () => {
  assert.equal(registrySchema.safeParse({ backend: 'zookeeper', address: 'zk1:2181,zk2:2181', path: '/services/orders' }).success, true);
  assert.equal(registrySchema.safeParse({ backend: 'consul', url: 'http://127.0.0.1:8500', service: 'orders', min_instances: 2 }).success, true);
  assert.equal(registrySchema.safeParse({ backend: 'nacos', url: 'http://127.0.0.1:8848', service: 'orders', namespace: 'prod', group: 'G' }).success, true);
  assert.equal(registrySchema.safeParse({ backend: 'zookeeper', url: 'http://x', path: '/a' }).success, false);
  assert.equal(registrySchema.safeParse({ backend: 'consul', url: 'http://x', service: 's', namespace: 'n' }).success, false);
  assert.equal(registrySchema.safeParse({ backend: 'zookeeper', address: 'zk1:2181', path: 'relative' }).success, false);
  const bad = registrySchema.safeParse({ backend: 'etcd', url: 'http://x' });
  assert.equal(bad.error?.issues[0].message, 'backend must be zookeeper, consul or nacos');
  const consul = registrySchema.parse({ backend: 'consul', url: 'http://u:Pw-1234@c:8500', service: 's', token: 'acl-t0ken' });
  assert.deepEqual(registryDriver.secrets!(consul).sort(), ['Pw-1234', 'Pw-1234', 'acl-t0ken'].sort());
});
