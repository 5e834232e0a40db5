import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PG_ADMIN_URL } from '../support/env';
import { startFakePostgres, type FakePostgres } from '../support/servers/postgres';
import { probeWithoutRace, timedProbe } from '../support/servers/probe';
import { closedPort, startReplyServer, startSilentServer, waitUntil, type TestServer } from '../support/servers/tcp';

const probe = (fields: Record<string, unknown>, timeoutMs?: number) => timedProbe('postgres', fields, timeoutMs).then((r) => r.obs);

const PW = 'pg-S3cret-never-shown';

/** The local server's URL with another database, user or password. */
function localUrl(change: { db?: string; user?: string; password?: string } = {}): string {
  const u = new URL(PG_ADMIN_URL);
  if (change.db) u.pathname = `/${change.db}`;
  if (change.user) u.username = change.user;
  if (change.password) u.password = change.password;
  return u.toString();
}

describe('postgres driver', () => {
  const servers: TestServer[] = [];
  let silent: TestServer;
  let garbageThenClose: TestServer;
  let garbageAndStay: TestServer;
  let cleartext: FakePostgres;
  let md5: FakePostgres;
  let scram: FakePostgres;
  let port: number;

  before(async () => {
    silent = await startSilentServer();
    garbageThenClose = await startReplyServer('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n', { when: 'data', thenClose: true });
    garbageAndStay = await startReplyServer('SSH-2.0-OpenSSH_9.6\r\n', { when: 'data' });
    cleartext = await startFakePostgres({ auth: 'cleartext' });
    md5 = await startFakePostgres({ auth: 'md5' });
    scram = await startFakePostgres({ auth: 'scram' });
    servers.push(silent, garbageThenClose, garbageAndStay, cleartext, md5, scram);
    port = await closedPort();
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  describe('against the local PostgreSQL', () => {
    test('the local server is up as primary, with its timeline as epoch', async () => {
      const obs = await probe({ url: localUrl() });
      assert.equal(obs.up, true, obs.reason);
      assert.equal(obs.role, 'primary');
      assert.match(obs.epoch ?? '', /^timeline \d+$/);
      assert.ok(Array.isArray(obs.peers));
      const details = obs.details as { current_lsn: string; timeline: number; replicas: number };
      assert.match(details.current_lsn, /^[0-9A-F]+\/[0-9A-F]+$/);
      assert.equal(`timeline ${details.timeline}`, obs.epoch);
      assert.equal(details.replicas, obs.peers!.length);
    });

    test('a database that does not exist is named in the reason', async () => {
      const obs = await probe({ url: localUrl({ db: 'nines_no_such_db' }) });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'database "nines_no_such_db" does not exist');
    });

    test('a role that does not exist is an authentication failure', async () => {
      const obs = await probe({ url: localUrl({ user: 'nines_no_such_role' }) });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'authentication failed: role "nines_no_such_role" does not exist');
    });
  });

  describe('connection failures', () => {
    test('a closed port is "connection refused"', async () => {
      const obs = await probe({ url: `postgres://postgres@127.0.0.1:${port}/postgres` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'connection refused');
    });

    test('a server that accepts and says nothing times out, and the socket is closed', async () => {
      const before = silent.accepted();
      const { obs, ms } = await timedProbe('postgres', { url: `postgres://postgres@${silent.address}/postgres` }, 500);
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'timeout after 500ms');
      assert.ok(ms >= 450 && ms < 1500, `returned after ${ms}ms`);
      assert.equal(silent.accepted(), before + 1);
      await waitUntil('the probe to close its socket after the timeout', () => silent.openConnections() === 0, 2000);
    });

    test("the driver's own connect timeout fires without runProbe's race", async () => {
      const started = Date.now();
      const obs = await probeWithoutRace('postgres', { url: `postgres://postgres@${silent.address}/postgres` }, 400);
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'timeout after 400ms');
      assert.ok(Date.now() - started < 1500);
    });

    test('a server answering with garbage and closing is a failed probe, not a crash', async () => {
      const obs = await probe({ url: `postgres://postgres@${garbageThenClose.address}/postgres` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'Connection terminated unexpectedly');
    });

    test('a server answering with garbage and staying connected times out', async () => {
      const obs = await probe({ url: `postgres://postgres@${garbageAndStay.address}/postgres` }, 500);
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'timeout after 500ms');
    });
  });

  describe('authentication', () => {
    test('a rejected cleartext password is "authentication failed" and the password is not in the observation', async () => {
      const obs = await probe({ url: `postgres://nines_probe_pw:${PW}@${cleartext.address}/postgres` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'authentication failed: password authentication failed for user "nines_probe_pw"');
      assert.deepEqual(cleartext.passwords, [PW], 'the fake server saw the password, so the probe really sent it');
      assert.equal(cleartext.startups[0].user, 'nines_probe_pw');
      assert.equal(cleartext.startups[0].application_name, 'nines-probe');
      assert.ok(!JSON.stringify(obs).includes(PW));
    });

    test('a rejected MD5 password is "authentication failed" too', async () => {
      const obs = await probe({ url: `postgres://nines_probe_pw:${PW}@${md5.address}/postgres` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'authentication failed: password authentication failed for user "nines_probe_pw"');
      assert.match(md5.passwords[0], /^md5[0-9a-f]{32}$/);
      assert.ok(!JSON.stringify(obs).includes(PW));
    });

    test('a rejected SCRAM-SHA-256 login is "authentication failed"', async () => {
      const obs = await probe({ url: `postgres://nines_probe_pw:${PW}@${scram.address}/postgres` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'authentication failed: password authentication failed for user "nines_probe_pw"');
      assert.match(scram.passwords.at(-1) ?? '', /^c=biws,r=.+fakeservernonce,p=/, 'the client proof reached the server');
      assert.ok(!JSON.stringify(obs).includes(PW));
    });

    test('a SCRAM server asking for a password the URL does not have says so', async () => {
      const obs = await probe({ url: `postgres://nines_probe_pw@${scram.address}/postgres` });
      assert.equal(obs.up, false);
      assert.equal(obs.reason, 'authentication failed: the server asked for a password and the URL has none');
    });
  });

  test('a password in the URL never appears in any observation', async () => {
    const auth = `nines_probe_pw:${PW}@`;
    const cases: [string, string, number?][] = [
      ['ok (trust accepts any password)', localUrl({ password: PW })],
      ['missing database', localUrl({ db: 'nines_no_such_db', password: PW })],
      ['missing role', localUrl({ user: 'nines_no_such_role', password: PW })],
      ['refused', `postgres://${auth}127.0.0.1:${port}/postgres`],
      ['timeout', `postgres://${auth}${silent.address}/postgres`, 300],
      ['garbage', `postgres://${auth}${garbageThenClose.address}/postgres`],
      ['rejected cleartext', `postgres://${auth}${cleartext.address}/postgres`],
      ['rejected md5', `postgres://${auth}${md5.address}/postgres`],
      ['rejected scram', `postgres://${auth}${scram.address}/postgres`],
      ['ssl to a server without ssl', `${localUrl({ password: PW })}?sslmode=no-verify`],
    ];
    const results = await Promise.all(cases.map(([, url, timeout]) => probe({ url }, timeout)));
    assert.equal(results[0].up, true, results[0].reason);
    cases.forEach(([name], i) => {
      const json = JSON.stringify(results[i]);
      assert.ok(!json.includes(PW), `${name}: observation leaks the password: ${json}`);
      if (i > 0) assert.equal(results[i].up, false, name);
    });
  });
});
