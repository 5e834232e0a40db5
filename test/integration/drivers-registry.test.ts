import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';
import { startZookeeper, type ZookeeperInstance } from '../support/servers/zk-standalone';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client');

const probe = (fields: Record<string, unknown>) => timedProbe('registry', fields, 4000).then((r) => r.obs);

/** A provider's own ZooKeeper session holding its ephemeral registration, as Dubbo does it. */
async function provider(address: string, path: string, url: string): Promise<{ close(): void }> {
  const client = zookeeper.createClient(address, { sessionTimeout: 4000 });
  await new Promise<void>((resolve) => {
    client.once('connected', resolve);
    client.connect();
  });
  await new Promise<void>((resolve, reject) => client.mkdirp(path, (err: Error | null) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve, reject) =>
    client.create(`${path}/${encodeURIComponent(url)}`, Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  return { close: () => client.close() };
}

describe('registry driver (zookeeper) against a real standalone ZooKeeper', () => {
  let zk: ZookeeperInstance;
  const path = '/dubbo/com.acme.Orders/providers';
  const sessions: { close(): void }[] = [];

  before(async () => {
    zk = await startZookeeper();
    sessions.push(await provider(zk.address, path, 'dubbo://10.0.0.11:20880/com.acme.Orders?anyhost=true&side=provider'));
    sessions.push(await provider(zk.address, path, 'dubbo://10.0.0.12:20880/com.acme.Orders?anyhost=true&side=provider'));
  });

  after(async () => {
    for (const s of sessions) s.close();
    await zk?.stop();
  });

  test('live providers are the children of the path; fewer than min_instances is down', async () => {
    const ok = await probe({ backend: 'zookeeper', address: zk.address, path, min_instances: 2 });
    assert.equal(ok.up, true, ok.reason);
    assert.deepEqual(ok.peers?.map((p) => p.id), ['10.0.0.11:20880', '10.0.0.12:20880']);
    const short = await probe({ backend: 'zookeeper', address: zk.address, path, min_instances: 3 });
    assert.deepEqual([short.up, short.reason], [false, '2 of min 3 instances']);
  });

  test('a provider whose session ends drops out of the list', async () => {
    sessions.shift()!.close();
    const deadline = Date.now() + 8000;
    let obs = await probe({ backend: 'zookeeper', address: zk.address, path, min_instances: 2 });
    while (obs.up && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      obs = await probe({ backend: 'zookeeper', address: zk.address, path, min_instances: 2 });
    }
    assert.deepEqual([obs.up, obs.reason, obs.peers?.map((p) => p.id)], [false, '1 of min 2 instances', ['10.0.0.12:20880']]);
  });

  test('a missing path and a dead server are short reasons', async () => {
    const missing = await probe({ backend: 'zookeeper', address: zk.address, path: '/dubbo/com.acme.Nope/providers' });
    assert.deepEqual([missing.up, missing.reason], [false, 'zookeeper: path /dubbo/com.acme.Nope/providers does not exist']);
    const dead = await probe({ backend: 'zookeeper', address: `127.0.0.1:${await freePort()}`, path });
    assert.deepEqual([dead.up, dead.reason], [false, 'zookeeper: connection refused']);
  });
});
