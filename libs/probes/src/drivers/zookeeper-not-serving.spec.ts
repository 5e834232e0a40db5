import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretZk, viewFromAdmin, viewFromFourLetterWords } from './zookeeper.driver';
import { ADMIN_SRVR_LEADER, ADMIN_SRVR_NOT_SERVING, NOT_SERVING, NOT_WHITELISTED, SRVR_LEADER } from './zookeeper.fixtures';

const REASON = 'not currently serving requests (no quorum, or a leader election is in progress)';

test('a node that lost its quorum is down, over either interface', () => {
  assert.deepEqual(interpretZk(viewFromFourLetterWords(NOT_SERVING, NOT_SERVING)), { up: false, reason: REASON });
  assert.deepEqual(interpretZk(viewFromAdmin(ADMIN_SRVR_NOT_SERVING, undefined, 'AdminServer mntr: status 500')), { up: false, reason: REASON });
});

test('srvr not in the 4lw whitelist is a clear, actionable reason', () => {
  assert.deepEqual(interpretZk(viewFromFourLetterWords(NOT_WHITELISTED('srvr'))), {
    up: false,
    reason: 'srvr is not in 4lw.commands.whitelist (add srvr,mntr there, or probe admin_url)',
  });
});

test('mntr not whitelisted: still up from srvr, with the gap noted in details', () => {
  const obs = interpretZk(viewFromFourLetterWords(SRVR_LEADER, NOT_WHITELISTED('mntr')));
  assert.deepEqual([obs.up, obs.role, obs.warning], [true, 'leader', undefined]);
  assert.equal(obs.details?.mntr_unavailable, 'mntr is not in 4lw.commands.whitelist (add mntr there, or probe admin_url)');
});

test('garbage and silence are protocol errors', () => {
  assert.deepEqual(interpretZk(viewFromFourLetterWords('SSH-2.0-OpenSSH_9.2p1\r\n')), { up: false, reason: 'protocol error: not a ZooKeeper srvr reply (starts with "SSH-2.0-OpenSSH_9.2p1")' });
  assert.deepEqual(interpretZk(viewFromFourLetterWords('')), { up: false, reason: 'protocol error: empty reply to srvr (is this a ZooKeeper client port?)' });
  assert.deepEqual(interpretZk(viewFromAdmin([1, 2])), { up: false, reason: 'protocol error: AdminServer srvr has no server_stats.server_state' });
  assert.deepEqual(interpretZk(viewFromAdmin({ ...ADMIN_SRVR_LEADER, error: 'Unknown command: srvr' })), { up: false, reason: 'AdminServer srvr: Unknown command: srvr' });
});
