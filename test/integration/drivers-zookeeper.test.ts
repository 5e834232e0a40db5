import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zookeeperDriver } from '../../libs/probes/src/drivers/zookeeper.driver';
import type { Observation } from '../../libs/probes/src/observation';
import { timedProbe } from '../support/servers/probe';
import { startZkEnsemble, type ZkEnsemble, type ZkNode } from '../support/servers/zk-ensemble';
import { closedPort, startReplyServer, startSilentServer, type TestServer } from '../support/servers/tcp';
import { waitFor } from '../support/wait';

const probe = (fields: Record<string, unknown>, timeoutMs = 3000) => timedProbe('zookeeper', fields, timeoutMs).then((r) => r.obs);
const both = async (n: ZkNode): Promise<[Observation, Observation]> => Promise.all([probe({ address: n.address }), probe({ admin_url: n.adminUrl })]);

describe('zookeeper driver: three-node ensemble', () => {
  let zk: ZkEnsemble;
  before(async () => {
    zk = await startZkEnsemble({ size: 3 });
  });
  after(async () => {
    await zk?.stop();
  });

  async function leaderOf(nodes: ZkNode[], synced: number): Promise<ZkNode> {
    const seen: Record<string, unknown> = {};
    try {
      return await waitFor('a leader with its followers in sync', async () => {
        for (const n of nodes) {
          const o = await probe({ address: n.address });
          seen[n.address] = { up: o.up, role: o.role, reason: o.reason, warning: o.warning };
          if (o.role === 'leader' && o.details?.synced_followers === synced) return n;
        }
        return undefined;
      }, 60_000, 200);
    } catch (e) {
      throw new Error(`${(e as Error).message}; nodes: ${JSON.stringify(seen)}`);
    }
  }

  test('one leader and two followers, read the same over 4lw and the AdminServer; leader kill elects a new one with a higher epoch; quorum loss stops serving', async () => {
    const leader = await leaderOf(zk.nodes, 2);
    const [l4, lAdmin] = await both(leader);
    assert.deepEqual([l4.up, l4.role, lAdmin.up, lAdmin.role], [true, 'leader', true, 'leader']);
    assert.equal(l4.epoch, lAdmin.epoch);
    assert.ok(Number(l4.epoch) >= 1);
    assert.equal(l4.warning, undefined);
    assert.equal(l4.details?.synced_followers, 2);
    assert.equal(lAdmin.details?.synced_followers, 2);
    assert.equal(l4.details?.quorum_size, 3);
    assert.match(String(l4.details?.zxid), /^0x[0-9a-f]+$/);
    const followers = zk.nodes.filter((n) => n !== leader);
    for (const f of followers) {
      const [f4, fAdmin] = await both(f);
      assert.deepEqual([f4.up, f4.role, fAdmin.role], [true, 'follower', 'follower'], JSON.stringify(f4));
    }

    await leader.kill();
    const next = await leaderOf(followers, 1);
    const n4 = await probe({ address: next.address });
    assert.equal(n4.up, true);
    assert.ok(Number(n4.epoch) > Number(l4.epoch), `epoch ${l4.epoch} → ${n4.epoch}`);
    // Still a quorum (2 of 3), but one more loss stops the ensemble: worth a warning.
    assert.equal(n4.warning, 'only 1 of 2 followers in sync');

    const last = followers.find((n) => n !== next)!;
    await next.kill();
    // While the survivor drops out of the quorum it may close connections without a word
    // (an empty reply, also a failed probe); wait for the state it settles in.
    const [down4, downAdmin] = await waitFor('the survivor to stop serving', async () => {
      const r = await both(last);
      return !r[0].up && !r[1].up && /not currently serving/.test(r[0].reason ?? '') && /not currently serving/.test(r[1].reason ?? '') ? r : undefined;
    }, 30_000);
    assert.equal(down4.reason, 'not currently serving requests (no quorum, or a leader election is in progress)');
    assert.equal(downAdmin.reason, 'not currently serving requests (no quorum, or a leader election is in progress)');
  });
});

describe('zookeeper driver: standalone and failures', () => {
  let solo: ZkEnsemble;
  let locked: ZkEnsemble;
  const fakes: TestServer[] = [];
  let silent: TestServer;
  let ssh: TestServer;

  before(async () => {
    [solo, locked] = await Promise.all([startZkEnsemble(), startZkEnsemble({ whitelist: 'ruok' })]);
    silent = await startSilentServer();
    ssh = await startReplyServer('SSH-2.0-OpenSSH_9.2p1\r\n', { when: 'connect', thenClose: true });
    fakes.push(silent, ssh);
  });
  after(async () => {
    await solo?.stop();
    await locked?.stop();
    await Promise.all(fakes.map((f) => f.close()));
  });

  test('a standalone server: role standalone over both interfaces', async () => {
    const [o4, oAdmin] = await both(solo.nodes[0]);
    assert.deepEqual([o4.up, o4.role, o4.warning], [true, 'standalone', undefined], o4.reason);
    assert.deepEqual([oAdmin.up, oAdmin.role, oAdmin.warning], [true, 'standalone', undefined], oAdmin.reason);
    assert.equal(typeof o4.details?.outstanding_requests, 'number');
    assert.equal(typeof oAdmin.details?.latency_avg_ms, 'number');
    assert.match(String(o4.details?.version), /^3\.\d+\.\d+/);
  });

  test('admin_url given with /commands works the same', async () => {
    const obs = await probe({ admin_url: `${solo.nodes[0].adminUrl}/commands` });
    assert.deepEqual([obs.up, obs.role], [true, 'standalone']);
  });

  // ZooKeeper always whitelists srvr (zkServer.sh needs it), so the usual gap is mntr.
  test('mntr outside the 4lw whitelist: up from srvr, the gap noted; the AdminServer has the full view', async () => {
    const obs = await probe({ address: locked.nodes[0].address });
    assert.deepEqual([obs.up, obs.role, obs.warning], [true, 'standalone', undefined], obs.reason);
    assert.equal(obs.details?.mntr_unavailable, 'mntr is not in 4lw.commands.whitelist (add mntr there, or probe admin_url)');
    const admin = await probe({ admin_url: locked.nodes[0].adminUrl });
    assert.deepEqual([admin.up, admin.role, admin.details?.mntr_unavailable], [true, 'standalone', undefined]);
  });

  test('connection refused, timeout and a non-ZooKeeper port', async () => {
    const port = await closedPort();
    assert.deepEqual(await probe({ address: `127.0.0.1:${port}` }).then((o) => [o.up, o.reason]), [false, 'connection refused']);
    assert.deepEqual(await probe({ admin_url: `http://127.0.0.1:${port}` }).then((o) => [o.up, o.reason]), [false, 'AdminServer srvr: connection refused']);
    assert.deepEqual(await probe({ address: silent.address }, 500).then((o) => [o.up, o.reason]), [false, 'timeout after 500ms']);
    assert.deepEqual(await probe({ address: ssh.address }).then((o) => [o.up, o.reason]), [false, 'protocol error: not a ZooKeeper srvr reply (starts with "SSH-2.0-OpenSSH_9.2p1")']);
    // The client port is not an AdminServer.
    const notAdmin = await probe({ admin_url: `http://${solo.nodes[0].address}` });
    assert.equal(notAdmin.up, false);
  });

  test('credentials in admin_url are secrets and never show up in the observation', async () => {
    const PW = 'zk-admin-Pa55-never-shown';
    const url = `http://ops:${PW}@127.0.0.1:${solo.nodes[0].adminPort}`;
    assert.ok(zookeeperDriver.secrets!(zookeeperDriver.schema.parse({ admin_url: url })).includes(PW));
    const ok = await probe({ admin_url: url });
    assert.equal(ok.up, true, ok.reason);
    const bad = await probe({ admin_url: `http://ops:${PW}@127.0.0.1:${await closedPort()}` });
    assert.equal(bad.up, false);
    for (const o of [ok, bad]) assert.ok(!JSON.stringify(o).includes(PW), JSON.stringify(o));
  });
});
