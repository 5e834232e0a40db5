import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interpretReplicationInfo } from './redis.driver';
import { parseInfo, parseKv } from './resp';

// As Redis 7.2 prints them (CRLF line ends, section header, trailing blank line).
const MASTER_WITH_TWO_REPLICAS = [
  '# Replication',
  'role:master',
  'connected_slaves:2',
  'slave0:ip=10.0.0.12,port=6379,state=online,offset=1048576,lag=0',
  'slave1:ip=10.0.0.13,port=6380,state=wait_bgsave,offset=0,lag=1',
  'master_failover_state:no-failover',
  'master_replid:8f3c1b6f3c2e4a5d9b7e0c1a2b3c4d5e6f708192',
  'master_replid2:0000000000000000000000000000000000000000',
  'master_repl_offset:1049000',
  'second_repl_offset:-1',
  'repl_backlog_active:1',
  'repl_backlog_size:1048576',
  'repl_backlog_first_byte_offset:1',
  'repl_backlog_histlen:1048999',
  '',
].join('\r\n');

const REPLICA_LINK_DOWN = [
  '# Replication',
  'role:slave',
  'master_host:10.0.0.11',
  'master_port:6379',
  'master_link_status:down',
  'master_last_io_seconds_ago:-1',
  'master_sync_in_progress:0',
  'slave_read_repl_offset:1049000',
  'slave_repl_offset:1049000',
  'master_link_down_since_seconds:42',
  'slave_priority:100',
  'slave_read_only:1',
  'replica_announced:1',
  'connected_slaves:0',
  'master_failover_state:no-failover',
  'master_replid:8f3c1b6f3c2e4a5d9b7e0c1a2b3c4d5e6f708192',
  'master_replid2:0000000000000000000000000000000000000000',
  'master_repl_offset:1049000',
  'second_repl_offset:-1',
  'repl_backlog_active:1',
  '',
].join('\r\n');

describe('parseInfo', () => {
  it('reads key:value lines, skipping section headers and blank lines', () => {
    const info = parseInfo(MASTER_WITH_TWO_REPLICAS);
    assert.equal(info.role, 'master');
    assert.equal(info.master_repl_offset, '1049000');
    assert.equal(info['# Replication'], undefined);
    assert.equal(Object.keys(info).length, 13);
  });

  it('keeps colons inside values (IPv6 hosts) and accepts bare LF line ends', () => {
    const info = parseInfo('role:slave\nmaster_host:fe80::1\nmaster_port:6379\n');
    assert.equal(info.master_host, 'fe80::1');
    assert.equal(info.master_port, '6379');
  });

  it('parses a replica line into its fields', () => {
    assert.deepEqual(parseKv('ip=10.0.0.12,port=6379,state=online,offset=1048576,lag=0'), {
      ip: '10.0.0.12',
      port: '6379',
      state: 'online',
      offset: '1048576',
      lag: '0',
    });
  });
});

describe('interpretReplicationInfo', () => {
  it('reads a master with two replicas: role, offsets and per-replica lag in bytes and seconds', () => {
    const obs = interpretReplicationInfo(parseInfo(MASTER_WITH_TWO_REPLICAS));
    assert.equal(obs.up, true);
    assert.equal(obs.role, 'primary');
    assert.deepEqual(obs.peers, [
      { id: '10.0.0.12:6379', role: 'replica', state: 'online', lagBytes: 1049000 - 1048576, lagSeconds: 0 },
      { id: '10.0.0.13:6380', role: 'replica', state: 'wait_bgsave', lagBytes: 1049000, lagSeconds: 1 },
    ]);
    assert.deepEqual(obs.details, { connected_replicas: 2, repl_offset: 1049000, replid: '8f3c1b6f3c2e4a5d9b7e0c1a2b3c4d5e6f708192' });
  });

  it('reads a replica whose link to the master is down: up, a warning, no lag figure', () => {
    const obs = interpretReplicationInfo(parseInfo(REPLICA_LINK_DOWN));
    assert.equal(obs.up, true);
    assert.equal(obs.role, 'replica');
    assert.equal(obs.leader, '10.0.0.11:6379');
    assert.equal(obs.lagSeconds, undefined);
    assert.equal(obs.warning, 'replication link to 10.0.0.11:6379 is down');
    assert.equal(obs.details?.master_link_status, 'down');
    assert.equal(obs.details?.link_down_since_seconds, 42);
    assert.equal(obs.details?.repl_offset, 1049000);
    assert.equal(obs.details?.sync_in_progress, false);
  });

  it('reads a healthy replica: no lag of its own (the master reports it), no warning', () => {
    const text = REPLICA_LINK_DOWN.replace('master_link_status:down', 'master_link_status:up')
      .replace('master_last_io_seconds_ago:-1', 'master_last_io_seconds_ago:1')
      .replace('master_link_down_since_seconds:42\r\n', '');
    const obs = interpretReplicationInfo(parseInfo(text));
    assert.equal(obs.lagSeconds, undefined);
    assert.equal(obs.details?.master_last_io_seconds_ago, 1);
    assert.equal(obs.warning, undefined);
    assert.equal(obs.details?.link_down_since_seconds, undefined);
  });

  it('reports a master without replicas with no peers', () => {
    const obs = interpretReplicationInfo(parseInfo('# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n'));
    assert.equal(obs.role, 'primary');
    assert.deepEqual(obs.peers, []);
  });

  it('fails on output without a role, or with one it does not know', () => {
    assert.deepEqual(interpretReplicationInfo(parseInfo('# Replication\r\n')), { up: false, reason: 'INFO replication has no role field' });
    assert.deepEqual(interpretReplicationInfo({ role: 'sentinel' }), { up: false, reason: 'unexpected role "sentinel"' });
  });
});
