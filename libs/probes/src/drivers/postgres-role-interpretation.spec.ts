import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interpretPostgres, ReplicaRow, RoleRow } from './postgres.driver';

const primaryRole: RoleRow = { in_recovery: false, lsn: '0/5A3C2D8', replay_lsn: null, replay_bytes: null, replay_age_s: null, receiver: null, timeline: 3 };

const replicaRole = (over: Partial<RoleRow>): RoleRow => ({
  in_recovery: true,
  lsn: '0/5A3C2D8',
  replay_lsn: '0/5A3C2D8',
  replay_bytes: 0,
  replay_age_s: 0.4,
  receiver: 'streaming 10.0.0.11:5432',
  timeline: 3,
  ...over,
});

describe('interpretPostgres on a primary', () => {
  const replicas: ReplicaRow[] = [
    { name: 'pg2', addr: '10.0.0.12', state: 'streaming', sync_state: 'sync', replay_bytes: 0, replay_lag_s: 0.0012, write_lag_s: 0.0004, flush_lag_s: 0.0008 },
    { name: '', addr: '10.0.0.13', state: 'catchup', sync_state: 'async', replay_bytes: 16_777_216, replay_lag_s: 4.5, write_lag_s: 1.1, flush_lag_s: 2.2 },
  ];

  it('reports role primary, its timeline as the epoch and one peer per replica', () => {
    const obs = interpretPostgres(primaryRole, replicas);
    assert.equal(obs.up, true);
    assert.equal(obs.role, 'primary');
    assert.equal(obs.epoch, 'timeline 3');
    assert.equal(obs.details?.replicas, 2);
    assert.equal(obs.details?.current_lsn, '0/5A3C2D8');
    assert.deepEqual(
      obs.peers?.map((p) => ({ id: p.id, state: p.state, lagBytes: p.lagBytes, lagSeconds: p.lagSeconds, sync: p.details?.sync_state })),
      [
        { id: 'pg2', state: 'streaming', lagBytes: 0, lagSeconds: 0.0012, sync: 'sync' },
        // No application_name: the replica is named by its address.
        { id: '10.0.0.13', state: 'catchup', lagBytes: 16_777_216, lagSeconds: 4.5, sync: 'async' },
      ],
    );
  });

  it('reports an idle replica (replay_lag NULL) as zero seconds behind', () => {
    const obs = interpretPostgres(primaryRole, [{ ...replicas[0], replay_lag_s: null }]);
    assert.equal(obs.peers?.[0].lagSeconds, 0);
  });

  it('reports a primary without replicas with an empty peer list, not an error', () => {
    const obs = interpretPostgres({ ...primaryRole, timeline: null }, []);
    assert.equal(obs.up, true);
    assert.deepEqual(obs.peers, []);
    assert.equal(obs.epoch, undefined);
  });
});

describe('interpretPostgres on a replica', () => {
  it('reads a streaming, caught-up replica of an idle primary as zero lag (not the replay age)', () => {
    const obs = interpretPostgres(replicaRole({ replay_age_s: 312.5 }), []);
    assert.equal(obs.role, 'replica');
    assert.equal(obs.leader, '10.0.0.11:5432');
    assert.equal(obs.lagSeconds, 0);
    assert.equal(obs.lagBytes, 0);
    assert.equal(obs.warning, undefined);
    assert.equal(obs.details?.wal_receiver, 'streaming');
  });

  it('uses the replay age as lag while received WAL is still being replayed', () => {
    const obs = interpretPostgres(replicaRole({ replay_bytes: 8192, replay_lsn: '0/5A3A2D8', replay_age_s: 2.5 }), []);
    assert.equal(obs.lagSeconds, 2.5);
    assert.equal(obs.lagBytes, 8192);
  });

  it('clamps a negative replay age (clock skew between hosts) to zero', () => {
    const obs = interpretPostgres(replicaRole({ replay_bytes: 100, replay_age_s: -0.3 }), []);
    assert.equal(obs.lagSeconds, 0);
  });

  it('warns and does not claim zero lag when the WAL receiver is not running', () => {
    // Cut off from the primary: it has replayed all it received, but it is falling behind.
    const obs = interpretPostgres(replicaRole({ receiver: null, replay_bytes: 0, replay_age_s: 95 }), []);
    assert.equal(obs.up, true);
    assert.equal(obs.warning, 'WAL receiver not running');
    assert.equal(obs.details?.wal_receiver, 'not running');
    assert.equal(obs.leader, undefined);
    assert.equal(obs.lagSeconds, 95);
  });

  it('names no leader when the receiver has no sender yet', () => {
    const obs = interpretPostgres(replicaRole({ receiver: 'waiting :' }), []);
    assert.equal(obs.leader, undefined);
    assert.equal(obs.warning, 'WAL receiver waiting');
  });

  it('leaves lag unknown when there is neither a replay position nor a replay time', () => {
    const obs = interpretPostgres(replicaRole({ replay_bytes: null, replay_age_s: null, receiver: null }), []);
    assert.equal(obs.lagSeconds, undefined);
    assert.equal(obs.lagBytes, undefined);
  });
});
