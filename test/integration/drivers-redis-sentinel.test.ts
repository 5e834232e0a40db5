import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DriverEvent } from '../../libs/probes/src/driver';
import { redisSentinelDriver, type RedisSentinelSpec } from '../../libs/probes/src/drivers/redis-sentinel.driver';
import { timedProbe } from '../support/servers/probe';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSentinelGroup, waitForSentinelsReady, type SentinelGroup } from '../support/servers/redis-ha';
import { spawnServer, tempDir, waitForPort, type Spawned } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';
import { waitFor } from '../support/wait';

const probe = (fields: Record<string, unknown>, timeoutMs = 3000) => timedProbe('redis-sentinel', fields, timeoutMs).then((r) => r.obs);

/** Real redis-server master + replica and three `redis-server --sentinel` on free ports. */
describe('redis-sentinel driver against real sentinels', () => {
  let g: SentinelGroup;

  before(async () => {
    g = await startSentinelGroup();
    await waitForSentinelsReady(g);
  });

  after(async () => {
    await g?.stop();
  });

  test('a healthy group is up, names the master as leader and the replica as a peer', async () => {
    const obs = await probe({ sentinels: g.sentinelAddresses, master: g.masterName });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.leader, g.master.address);
    assert.equal(obs.epoch, '0');
    assert.equal(obs.warning, undefined);
    const replica = obs.peers?.find((p) => p.id === g.replica.address);
    assert.equal(replica?.role, 'replica');
    assert.equal(replica?.state, 'ok');
    assert.equal(typeof replica?.lagBytes, 'number');
    const details = obs.details as { sentinels: { address: string; ckquorum: string }[]; sentinels_agreeing: number; master_self_role: string };
    assert.equal(details.sentinels_agreeing, 3);
    assert.equal(details.master_self_role, 'master');
    assert.deepEqual(details.sentinels.map((s) => s.address), g.sentinelAddresses);
    assert.match(details.sentinels[0].ckquorum, /^OK 3 usable Sentinels/);
  });

  test('a name the sentinels do not monitor is down with a clear reason', async () => {
    const obs = await probe({ sentinels: g.sentinelAddresses, master: 'no-such-master' });
    assert.deepEqual([obs.up, obs.reason], [false, 'no sentinel monitors a master named "no-such-master"']);
  });

  test('an unreachable sentinel in the list is a warning, not an outage', async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    const obs = await probe({ sentinels: [...g.sentinelAddresses.slice(0, 2), dead], master: g.masterName });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.warning, `sentinel ${dead} unreachable: connection refused`);
  });

  test('with no sentinel reachable the probe is down: connection refused', async () => {
    const obs = await probe({ sentinels: [`127.0.0.1:${await closedPort()}`, `127.0.0.1:${await closedPort()}`], master: g.masterName });
    assert.deepEqual([obs.up, obs.reason], [false, 'no sentinel reachable: connection refused']);
  });

  test('a plain Redis listed as a sentinel is told apart', async () => {
    const obs = await probe({ sentinels: [g.master.address], master: g.masterName });
    assert.equal(obs.up, false);
    assert.match(obs.reason ?? '', /not a sentinel|unknown/i);
  });

  // Last: it fails the master over for good.
  test('kill -9 of the master: watch() hears +switch-master once, probe() names the new leader', async () => {
    const events: DriverEvent[] = [];
    const errors: string[] = [];
    const watch = redisSentinelDriver.watch!(redisSentinelDriver.schema.parse({ sentinels: g.sentinelAddresses, master: g.masterName }), {
      emit: (e) => events.push(e),
      onError: (r) => errors.push(r),
    });
    try {
      await new Promise((r) => setTimeout(r, 300)); // let the three subscriptions land
      const killedAt = Date.now();
      await g.master.kill();
      const sw = await waitFor('+switch-master', () => events.find((e) => e.kind === '+switch-master'), 30_000);
      assert.equal(sw.message, `+switch-master ${g.masterName} 127.0.0.1 ${g.master.port} → 127.0.0.1 ${g.replica.port}`);
      assert.deepEqual(
        { old: sw.details?.old_master, new: sw.details?.new_master },
        { old: g.master.address, new: g.replica.address },
      );
      assert.ok(sw.at >= killedAt);
      // Every sentinel publishes +switch-master; the deduper folds them into the first.
      await waitFor('all sentinels to report the switch', () => (sw.details?.reporters as number) === 3, 10_000);
      assert.equal(events.filter((e) => e.kind === '+switch-master').length, 1);
      const kinds = new Set(events.map((e) => e.kind));
      for (const k of ['+sdown', '+odown', '+new-epoch', '+try-failover', '+elected-leader', '+promoted-slave', '+failover-end']) {
        assert.ok(kinds.has(k), `expected ${k} among ${[...kinds].join(' ')}`);
      }
      assert.equal(events.filter((e) => e.kind === '+odown' && String(e.details?.instance) === g.master.address).length, 1);

      const obs = await waitFor('probe to name the new master', async () => {
        const o = await probe({ sentinels: g.sentinelAddresses, master: g.masterName });
        // Right after the switch the old master may show only "master link err" until the
        // sentinels flag it; wait for that settled view.
        const flagged = new RegExp(`replica 127\\.0\\.0\\.1:${g.master.port}: \\S*(s_down|disconnected)`).test(o.warning ?? '');
        return o.up && o.leader === g.replica.address && flagged ? o : undefined;
      }, 15_000);
      assert.ok(Number(obs.epoch) >= 1, `epoch ${obs.epoch}`);
      // The old master is now a replica the sentinels cannot reach.
      assert.match(obs.warning ?? '', new RegExp(`replica 127\\.0\\.0\\.1:${g.master.port}: \\S*(s_down|disconnected)`));
      assert.deepEqual(errors, []);
    } finally {
      await watch.stop();
    }
  });
});

describe('redis-sentinel watch() reconnects', () => {
  let g: SentinelGroup;
  before(async () => {
    g = await startSentinelGroup({ count: 1 });
  });
  after(async () => {
    await g?.stop();
  });

  test('a sentinel that is down at first is subscribed to once it comes up', async () => {
    const port = await closedPort();
    const errors: string[] = [];
    const events: DriverEvent[] = [];
    const watch = redisSentinelDriver.watch!({ sentinels: [`127.0.0.1:${port}`], master: 'lab-redis' }, { emit: (e) => events.push(e), onError: (r) => errors.push(r) });
    const dir = tempDir('sentinel-late');
    let late: Spawned | undefined;
    try {
      await waitFor('a reconnect notice', () => errors.some((e) => /connection refused; reconnecting in/.test(e)), 5000);
      // Stand a sentinel up on that port, monitoring the group's master under the same name.
      const conf = join(dir.path, 's.conf');
      writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir.path}\nsentinel monitor lab-redis 127.0.0.1 ${g.master.port} 1\nsentinel down-after-milliseconds lab-redis 500\n`);
      late = spawnServer('redis-server', [conf, '--sentinel']);
      await waitForPort(port, late);
      await waitFor('subscribed again', () => errors.some((e) => /subscribed again/.test(e)), 15_000);
      // It is live: stopping the replica gives +sdown for it.
      await new Promise((r) => setTimeout(r, 1500)); // the sentinel discovers the replica via INFO
      await g.replica.kill();
      const sdown = await waitFor('+sdown of the replica', () => events.find((e) => e.kind === '+sdown' && e.details?.instance === g.replica.address), 15_000);
      assert.equal(sdown.message, `+sdown slave ${g.replica.address} (master lab-redis ${g.master.address})`);
    } finally {
      await watch.stop();
      await late?.kill();
      dir.remove();
    }
  });
});

describe('redis-sentinel: the master dies, sentinels with the default down-after (30 s)', () => {
  let g: SentinelGroup;

  before(async () => {
    g = await startSentinelGroup({ downAfterMs: 30_000 });
    await waitForSentinelsReady(g);
  });
  after(async () => {
    await g?.stop();
  });

  test('down at once, as clients sent to the dead master see it, while the sentinels still name it for 30 s', async () => {
    assert.equal((await probe({ sentinels: g.sentinelAddresses, master: g.masterName })).up, true);
    await g.master.kill();
    const obs = await probe({ sentinels: g.sentinelAddresses, master: g.masterName });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, `master ${g.masterName} at ${g.master.address} (named by 3 of 3 sentinels) unreachable from Nines: connection refused`);
    assert.equal(obs.leader, g.master.address);
  });
});

describe('redis-sentinel secrets', () => {
  const PW = 'redis-Pa55-never-shown';
  const SPW = 'sentinel-Pa55-never-shown';
  let g: SentinelGroup;

  before(async () => {
    g = await startSentinelGroup({ password: PW, sentinelPassword: SPW });
    await waitForSentinelsReady(g, SPW);
  });
  after(async () => {
    await g?.stop();
  });

  const spec = (over: Partial<RedisSentinelSpec>) => ({ sentinels: g.sentinelAddresses, master: g.masterName, password: PW, sentinel_password: SPW, ...over });

  function assertNoSecret(value: unknown, ...secrets: string[]): void {
    const text = JSON.stringify(value);
    for (const s of secrets) assert.ok(!text.includes(s), `secret leaked in ${text}`);
  }

  test('the driver declares both passwords as secrets', () => {
    assert.deepEqual(redisSentinelDriver.secrets!(redisSentinelDriver.schema.parse(spec({}))), [PW, SPW]);
  });

  test('with both passwords the group is up and the master confirms its role', async () => {
    const obs = await probe(spec({}));
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.warning, undefined);
    assert.equal((obs.details as { master_self_role: string }).master_self_role, 'master');
    assertNoSecret(obs, PW, SPW);
  });

  test('a wrong sentinel password: authentication failed, no secret in the observation', async () => {
    const wrong = 'wrong-sentinel-secret-xyz';
    const obs = await probe(spec({ sentinel_password: wrong }));
    assert.equal(obs.up, false);
    assert.match(obs.reason ?? '', /^no sentinel reachable: authentication failed: /);
    assertNoSecret(obs, PW, SPW, wrong);
  });

  test('no sentinel password where one is required says so', async () => {
    const obs = await probe({ sentinels: g.sentinelAddresses, master: g.masterName });
    assert.deepEqual([obs.up, obs.reason], [false, 'no sentinel reachable: authentication required (set sentinel_password)']);
  });

  test('a wrong master password is a warning about the master, secret-free', async () => {
    const wrong = 'wrong-master-secret-xyz';
    const obs = await probe(spec({ password: wrong }));
    assert.equal(obs.up, true, obs.reason);
    assert.match(obs.warning ?? '', new RegExp(`master ${g.master.address.replace(/\./g, '\\.')}: authentication failed`));
    assertNoSecret(obs, PW, SPW, wrong);
  });

  test('watch() with a wrong sentinel password reports why, without the password', async () => {
    const wrong = 'wrong-watch-secret-xyz';
    const errors: string[] = [];
    const w = redisSentinelDriver.watch!(redisSentinelDriver.schema.parse(spec({ sentinel_password: wrong })), { emit: () => undefined, onError: (r) => errors.push(r) });
    try {
      await waitFor('an error report', () => errors.length >= 3, 5000);
    } finally {
      await w.stop();
    }
    assert.match(errors[0], /authentication failed/);
    assertNoSecret(errors, PW, SPW, wrong);
  });
});
