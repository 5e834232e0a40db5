import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mysqlDriver } from '../../libs/probes/src/drivers/mysql.driver';
import type { Observation } from '../../libs/probes/src/observation';
import { startMariadbPair, type MariadbPair } from '../support/servers/mariadb-pair';
import { timedProbe } from '../support/servers/probe';
import { closedPort, startReplyServer, startSilentServer, type TestServer } from '../support/servers/tcp';
import { waitFor } from '../support/wait';

const probe = (url: string, timeoutMs = 3000) => timedProbe('mysql', { url }, timeoutMs).then((r) => r.obs);
const PW = 'Nines-Pa55word-never-shown';

function assertNoSecret(obs: Observation, ...secrets: string[]): void {
  const text = JSON.stringify(obs);
  for (const s of secrets) assert.ok(!text.includes(s), `secret leaked: ${text}`);
}

/** A real MariaDB primary and GTID replica (private mariadbd processes on free ports). */
describe('mysql driver against MariaDB replication', () => {
  let db: MariadbPair;
  const fakes: TestServer[] = [];
  let silent: TestServer;
  let http: TestServer;

  before(async () => {
    db = await startMariadbPair({ password: PW });
    silent = await startSilentServer();
    http = await startReplyServer('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n', { when: 'connect', thenClose: true });
    fakes.push(silent, http);
  });

  after(async () => {
    await db?.stop();
    await Promise.all(fakes.map((f) => f.close()));
  });

  test('the primary: role primary, its GTID position, the replica registered as a peer', async () => {
    const obs = await probe(db.url(db.primary));
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.role, 'primary');
    assert.equal(obs.warning, undefined);
    assert.equal(obs.details?.server_id, 1);
    assert.equal(obs.details?.flavor, 'mariadb');
    assert.match(String(obs.details?.gtid), /^0-1-\d+$/);
    assert.deepEqual(obs.peers?.map((p) => p.id), [`127.0.0.1:${db.replica.port}`]);
    assertNoSecret(obs, PW);
  });

  test('the replica: role replica, the primary as leader, lag 0', async () => {
    const obs = await waitFor('replica caught up', async () => {
      const o = await probe(db.url(db.replica));
      return o.lagSeconds === 0 ? o : undefined;
    }, 15_000);
    assert.deepEqual([obs.up, obs.role, obs.leader, obs.warning], [true, 'replica', `127.0.0.1:${db.primary.port}`, undefined]);
    assert.equal(obs.details?.io_running, 'Yes');
    assert.equal(obs.details?.sql_running, 'Yes');
    assert.equal(obs.details?.using_gtid, 'Slave_Pos');
    assert.match(String(obs.details?.gtid_io_pos), /^0-1-\d+$/);
    assert.equal(obs.details?.read_only, true);
  });

  test('a replicated statement that fails stops the SQL thread: warning with the error, its password masked', async () => {
    const leakPw = 'Replicated-Pa55-never-shown';
    // The user already exists on the replica only, so the replicated CREATE USER fails there.
    await db.replica.sql("SET sql_log_bin=0; CREATE USER 'app'@'%' IDENTIFIED BY 'other'");
    await db.primary.sql(`CREATE USER 'app'@'%' IDENTIFIED BY '${leakPw}'`);
    const obs = await waitFor('the SQL thread to stop', async () => {
      const o = await probe(db.url(db.replica));
      return o.details?.sql_running === 'No' ? o : undefined;
    }, 15_000);
    assert.equal(obs.up, true);
    assert.equal(obs.role, 'replica');
    assert.equal(obs.lagSeconds, undefined);
    assert.match(obs.warning ?? '', /^replication broken: SQL thread stopped \(errno 1396: .*CREATE USER/);
    assert.match(String(obs.details?.last_sql_error), /IDENTIFIED BY '\*\*\*'/);
    assertNoSecret(obs, leakPw, PW);
    // Repair: skip the event, so later tests start from a replicating pair.
    await db.replica.sql("SET sql_log_bin=0; DROP USER 'app'@'%'; STOP SLAVE; SET GLOBAL sql_slave_skip_counter=1; START SLAVE");
    await waitFor('replication to resume', async () => (await probe(db.url(db.replica))).warning === undefined, 15_000);
  });

  test('read_only=1 without replication: standalone, with a warning', async () => {
    await db.primary.sql('SET GLOBAL read_only=1');
    try {
      const obs = await probe(db.url(db.primary));
      assert.deepEqual([obs.up, obs.role], [true, 'standalone']);
      assert.match(obs.warning ?? '', /^read_only=1 but no replication configured/);
    } finally {
      await db.primary.sql('SET GLOBAL read_only=0');
    }
  });

  test('a wrong password: authentication failed, and no password anywhere in the observation', async () => {
    const wrong = 'Wrong-Pa55-never-shown';
    const obs = await probe(db.url(db.primary, { password: wrong }));
    assert.deepEqual([obs.up, obs.reason], [false, "authentication failed: Access denied for user 'nines'@'127.0.0.1' (using password: YES)"]);
    assertNoSecret(obs, wrong, PW);
    assert.deepEqual(mysqlDriver.secrets!({ url: db.url(db.primary) }), [PW, PW]);
  });

  test('a user without replication privileges is told which grant is missing', async () => {
    const obs = await probe(db.url(db.primary, { user: 'weak', password: 'weak-pw' }));
    assert.equal(obs.up, false);
    assert.match(obs.reason ?? '', /^permission denied for SHOW REPLICA STATUS: grant REPLICATION CLIENT \(MariaDB: SLAVE MONITOR\)/);
  });

  test('connection refused, a silent port and a non-MySQL server', async () => {
    assert.deepEqual(await probe(`mysql://nines:${PW}@127.0.0.1:${await closedPort()}/`).then((o) => [o.up, o.reason]), [false, 'connection refused']);
    const slow = await probe(`mysql://nines:${PW}@${silent.address}/`, 700);
    assert.deepEqual([slow.up, slow.reason], [false, 'timeout after 700ms']);
    const garbage = await probe(`mysql://nines:${PW}@${http.address}/`);
    // An HTTP server answers and hangs up before any MySQL handshake.
    assert.deepEqual([garbage.up, garbage.reason], [false, 'connection closed by server']);
    for (const o of [slow, garbage]) assertNoSecret(o, PW);
  });

  // Last: it kills the primary.
  test('primary killed: the primary probe is refused, the replica warns its IO thread cannot reach it', async () => {
    await db.primary.kill();
    assert.deepEqual(await probe(db.url(db.primary)).then((o) => [o.up, o.reason]), [false, 'connection refused']);
    const obs = await waitFor('the IO thread to notice', async () => {
      const o = await probe(db.url(db.replica));
      return o.details?.io_running === 'Connecting' ? o : undefined;
    }, 20_000, 250);
    assert.equal(obs.up, true);
    assert.match(obs.warning ?? '', new RegExp(`^IO thread cannot reach source 127\\.0\\.0\\.1:${db.primary.port}`));
    assert.equal(obs.lagSeconds, undefined);
  });
});
