import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretMysql } from './mysql.driver';
import { MARIADB_HEALTHY, MARIADB_IO_CONNECTING, MARIADB_SQL_STOPPED } from './mysql.fixtures';

const MARIADB = { server_id: 2, read_only: 1, version: '10.11.19-MariaDB-0+deb12u1-log' };

test('MariaDB replica with its SQL thread stopped: up, replication broken, the error text kept', () => {
  const obs = interpretMysql({ vars: MARIADB, replicaRows: [MARIADB_SQL_STOPPED], gtid: '0-1-2' });
  assert.equal(obs.up, true);
  assert.equal(obs.role, 'replica');
  assert.equal(obs.leader, '127.0.0.1:27301');
  assert.equal(obs.lagSeconds, undefined, 'no lag figure while the SQL thread is stopped');
  assert.match(obs.warning ?? '', /^replication broken: SQL thread stopped \(errno 1396: Error 'Operation CREATE USER failed/);
  assert.equal(obs.details?.sql_running, 'No');
  assert.equal(obs.details?.io_running, 'Yes');
  assert.equal(obs.details?.seconds_behind, null);
  assert.equal(obs.details?.last_sql_errno, 1396);
  assert.equal(obs.details?.gtid, '0-1-2');
  assert.equal(obs.details?.gtid_io_pos, '0-1-6');
  assert.equal(obs.details?.flavor, 'mariadb');
});

test('healthy MariaDB replica: lag 0, no warning', () => {
  const obs = interpretMysql({ vars: MARIADB, replicaRows: [MARIADB_HEALTHY], gtid: '0-1-7' });
  assert.deepEqual([obs.up, obs.role, obs.lagSeconds, obs.warning], [true, 'replica', 0, undefined]);
  assert.equal(obs.details?.last_sql_error, undefined);
});

test('source down: the IO thread reconnecting is named with its error', () => {
  const obs = interpretMysql({ vars: MARIADB, replicaRows: [MARIADB_IO_CONNECTING] });
  assert.equal(obs.up, true);
  assert.match(obs.warning ?? '', /^IO thread cannot reach source 127\.0\.0\.1:27301: error reconnecting to master/);
  assert.equal(obs.lagSeconds, undefined);
});

test('both threads stopped by STOP REPLICA: broken, without an error text', () => {
  const obs = interpretMysql({ vars: MARIADB, replicaRows: [{ ...MARIADB_HEALTHY, Slave_IO_Running: 'No', Slave_SQL_Running: 'No', Seconds_Behind_Master: null }] });
  assert.equal(obs.warning, 'replication broken: SQL thread stopped; replication broken: IO thread stopped');
});

test('a password inside the failing statement never leaves the driver', () => {
  const obs = interpretMysql({ vars: MARIADB, replicaRows: [MARIADB_SQL_STOPPED] });
  assert.ok(!JSON.stringify(obs).includes('ninespw'), JSON.stringify(obs));
  assert.match(String(obs.details?.last_sql_error), /IDENTIFIED BY '\*\*\*'/);
});

test('redactSqlSecrets masks the password forms MySQL and MariaDB statements use', async () => {
  const { redactSqlSecrets } = await import('./mysql.driver');
  const cases: [string, string][] = [
    ["CREATE USER 'a'@'%' IDENTIFIED BY 's3cr''et'", "CREATE USER 'a'@'%' IDENTIFIED BY '***'"],
    ["ALTER USER a IDENTIFIED WITH mysql_native_password BY \"p\\\"w\"", "ALTER USER a IDENTIFIED WITH mysql_native_password BY '***'"],
    ["SET PASSWORD FOR a = PASSWORD('x1')", "SET PASSWORD FOR a = PASSWORD('***')"],
    ["GRANT ALL ON *.* TO a IDENTIFIED BY PASSWORD '*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29'", "GRANT ALL ON *.* TO a IDENTIFIED BY PASSWORD '***'"],
    ["CHANGE MASTER TO MASTER_HOST='h', MASTER_PASSWORD='replpw'", "CHANGE MASTER TO MASTER_HOST='h', MASTER_PASSWORD='***'"],
    ["CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD = 'replpw'", "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD = '***'"],
  ];
  for (const [input, want] of cases) assert.equal(redactSqlSecrets(input), want);
});
