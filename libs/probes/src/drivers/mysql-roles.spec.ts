import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretMysql, mysqlSchema, reasonFromMysqlError } from './mysql.driver';
import { MYSQL8_LAGGING } from './mysql.fixtures';

test('MySQL 8 column names (Replica_…, Source_…): lag from Seconds_Behind_Source, GTID sets in details', () => {
  const obs = interpretMysql({ vars: { server_id: '2', read_only: '1', version: '8.0.36' }, replicaRows: [MYSQL8_LAGGING], gtid: 'x' });
  assert.deepEqual([obs.up, obs.role, obs.leader, obs.lagSeconds, obs.warning], [true, 'replica', 'db-primary.internal:3306', 42, undefined]);
  assert.equal(obs.details?.executed_gtid_set, '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4990,8a94f357-aab4-11df-86ab-c80aa9429562:1-3');
  assert.equal(obs.details?.flavor, 'mysql');
});

test('no replication, writable: primary, with registered replicas as peers', () => {
  const obs = interpretMysql({
    vars: { server_id: 1, read_only: 0, version: '10.11.19-MariaDB-log' },
    replicaRows: [],
    gtid: '0-1-7',
    replicaHosts: [{ Server_id: 2, Host: '10.0.0.12', Port: 3306, Master_id: 1 }],
  });
  assert.deepEqual([obs.up, obs.role, obs.warning], [true, 'primary', undefined]);
  assert.deepEqual(obs.peers, [{ id: '10.0.0.12:3306', role: 'replica', details: { server_id: 2 } }]);
  assert.equal(obs.details?.replicas_registered, 1);
});

test('no replication but read_only=1: standalone, with a warning', () => {
  const obs = interpretMysql({ vars: { server_id: 1, read_only: 1, version: '8.0.36' }, replicaRows: [], replicaHosts: { unavailable: 'Access denied' } });
  assert.equal(obs.role, 'standalone');
  assert.match(obs.warning ?? '', /^read_only=1 but no replication configured/);
  assert.equal(obs.details?.replica_hosts_unavailable, 'Access denied');
});

test('a row left by RESET REPLICA with no source host is not replication', () => {
  const obs = interpretMysql({ vars: { server_id: 1, read_only: 0, version: '8.0.36' }, replicaRows: [{ ...MYSQL8_LAGGING, Source_Host: '' }] });
  assert.equal(obs.role, 'primary');
});

test('driver errors become short reasons', () => {
  assert.equal(
    reasonFromMysqlError({ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045, sqlMessage: "Access denied for user 'nines'@'127.0.0.1' (using password: YES)" }, 3000),
    "authentication failed: Access denied for user 'nines'@'127.0.0.1' (using password: YES)",
  );
  assert.equal(reasonFromMysqlError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:3306' }, 3000), 'connection refused');
  assert.equal(reasonFromMysqlError({ code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }, 3000), 'timeout after 3s');
  assert.equal(reasonFromMysqlError({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true, message: 'Connection lost' }, 3000), 'connection closed by server');
  assert.equal(reasonFromMysqlError({ code: 'ER_CON_COUNT_ERROR', errno: 1040, sqlMessage: 'Too many connections' }, 3000), 'Too many connections');
});

test('schema: url only, mysql:// or mariadb://', () => {
  assert.equal(mysqlSchema.safeParse({ url: 'mysql://nines:pw@127.0.0.1:3306/' }).success, true);
  assert.equal(mysqlSchema.safeParse({ url: 'mariadb://nines@127.0.0.1/' }).success, true);
  assert.equal(mysqlSchema.safeParse({ url: 'postgres://x@127.0.0.1/' }).success, false);
  assert.equal(mysqlSchema.safeParse({ url: 'mysql://x@127.0.0.1/', user: 'x' }).success, false);
});
