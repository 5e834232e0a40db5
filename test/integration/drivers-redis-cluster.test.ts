import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { redisClusterDriver } from '../../libs/probes/src/drivers/redis-cluster.driver';
import { timedProbe } from '../support/servers/probe';
import { redisCli, startRedis, startRedisCluster, type RedisCluster, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';
import { waitFor } from '../support/wait';

const probe = (fields: Record<string, unknown>, timeoutMs = 3000) => timedProbe('redis-cluster', fields, timeoutMs).then((r) => r.obs);

interface SlotMaster {
  range: string;
  master: string;
  replicas: string[];
}

/** Six real redis-server nodes (3 masters, 3 replicas) on free ports, made into a cluster. */
describe('redis-cluster driver against a real cluster', () => {
  let c: RedisCluster;
  let plain: RedisNode;
  const dir = tempDir('cluster-plain');

  before(async () => {
    c = await startRedisCluster();
    plain = await startRedis(dir.path);
  });

  after(async () => {
    await c?.stop();
    await plain?.kill();
    dir.remove();
  });

  test('a healthy cluster is up with three slot ranges, each with a master and a replica', async () => {
    const obs = await probe({ nodes: c.addresses });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.warning, undefined);
    const info = await redisCli(c.nodes[0].port, ['CLUSTER', 'INFO']);
    assert.equal(obs.epoch, /cluster_current_epoch:(\d+)/.exec(info)![1]);
    const sm = obs.details?.slot_masters as SlotMaster[];
    assert.deepEqual(sm.map((s) => s.range), ['0-5460', '5461-10922', '10923-16383']);
    for (const s of sm) {
      assert.ok(c.addresses.includes(s.master));
      assert.equal(s.replicas.length, 1);
    }
    assert.equal(obs.peers?.length, 6);
    assert.deepEqual(obs.peers?.map((p) => p.role).sort(), ['primary', 'primary', 'primary', 'replica', 'replica', 'replica']);
    assert.equal(obs.details?.answered_by, c.addresses[0]);
  });

  test('a dead seed is skipped with a warning', async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    const obs = await probe({ nodes: [dead, ...c.addresses] });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.warning, `seed ${dead} unreachable: connection refused`);
    assert.equal(obs.details?.answered_by, c.addresses[0]);
  });

  test('no seed reachable: connection refused', async () => {
    const obs = await probe({ nodes: [`127.0.0.1:${await closedPort()}`, `127.0.0.1:${await closedPort()}`] });
    assert.deepEqual([obs.up, obs.reason], [false, 'no node answered: connection refused']);
  });

  test('a Redis without cluster support is told apart', async () => {
    const obs = await probe({ nodes: [plain.address] });
    assert.deepEqual([obs.up, obs.reason], [false, 'no node answered: not a cluster node (cluster support disabled)']);
  });

  test('kill -9 of a master: its replica takes over; the dead master is reported as fail', async () => {
    const before = await probe({ nodes: c.addresses });
    const sm = before.details?.slot_masters as SlotMaster[];
    const victim = sm[2];
    const node = c.nodes.find((n) => n.address === victim.master)!;
    await node.kill();
    const seeds = c.addresses.filter((a) => a !== victim.master);
    const obs = await waitFor('the replica to take over range 10923-16383', async () => {
      const o = await probe({ nodes: seeds });
      const r = (o.details?.slot_masters as SlotMaster[] | undefined)?.find((s) => s.range === '10923-16383');
      return o.up && r?.master === victim.replicas[0] && /is fail/.test(o.warning ?? '') ? o : undefined;
    }, 20_000, 250);
    assert.ok(Number(obs.epoch) > Number(before.epoch), `epoch ${before.epoch} → ${obs.epoch}`);
    assert.match(obs.warning ?? '', new RegExp(`master ${victim.master.replace(/\./g, '\\.')} is fail`));
    assert.match(obs.warning ?? '', new RegExp(`master ${victim.replicas[0].replace(/\./g, '\\.')} has no replica`));
    assert.equal(obs.peers?.find((p) => p.id === victim.master)?.state, 'fail');
  });

  test('a master and its replica both dead: cluster_state is fail', async () => {
    const o = await probe({ nodes: c.addresses.slice().reverse() });
    const sm = (o.details?.slot_masters as SlotMaster[]).find((s) => s.range === '0-5460')!;
    for (const a of [sm.master, ...sm.replicas]) await c.nodes.find((n) => n.address === a)!.kill();
    const seeds = c.addresses.filter((a) => a !== sm.master && !sm.replicas.includes(a));
    const obs = await waitFor('cluster_state fail', async () => {
      const x = await probe({ nodes: seeds });
      return x.reason?.startsWith('cluster_state is fail') ? x : undefined;
    }, 20_000, 250);
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'cluster_state is fail (5461 slots fail)');
  });
});

describe('redis-cluster secrets', () => {
  const PW = 'cluster-Pa55-never-shown';
  let c: RedisCluster;
  before(async () => {
    c = await startRedisCluster({ password: PW, size: 3, replicas: 0 });
  });
  after(async () => {
    await c?.stop();
  });

  test('the driver declares the password as a secret', () => {
    assert.deepEqual(redisClusterDriver.secrets!(redisClusterDriver.schema.parse({ nodes: c.addresses, password: PW })), [PW]);
  });

  test('with the password: up, and masters without replicas are a warning', async () => {
    const obs = await probe({ nodes: c.addresses, password: PW });
    assert.equal(obs.up, true, obs.reason);
    assert.match(obs.warning ?? '', /has no replica/);
    assert.ok(!JSON.stringify(obs).includes(PW));
  });

  test('a wrong password: authentication failed, and no password in the observation', async () => {
    const wrong = 'wrong-cluster-secret-xyz';
    const obs = await probe({ nodes: c.addresses, password: wrong });
    assert.equal(obs.up, false);
    assert.match(obs.reason ?? '', /^no node answered: authentication failed: /);
    for (const s of [PW, wrong]) assert.ok(!JSON.stringify(obs).includes(s));
  });

  test('no password where one is required says so', async () => {
    const obs = await probe({ nodes: c.addresses });
    assert.deepEqual([obs.up, obs.reason], [false, 'no node answered: authentication required (set password)']);
  });
});
