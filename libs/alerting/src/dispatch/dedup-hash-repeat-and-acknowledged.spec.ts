import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dedup, flushHash, type DedupInput } from './dedup';
import { H, M, member, route, T0 } from './dispatch-fixtures';

const down = member('SystemDown');
const base: DedupInput = { firing: [down], resolved: [], anyFiring: true, last: {}, route, acknowledged: false, now: T0 };

describe('dedup against the group’s last notification', () => {
  it('hashes the same alerts alike whatever their order, and flapping or resolved differently', () => {
    const lag = member('ReplicationLagging');
    assert.equal(flushHash([down, lag], []), flushHash([lag, down], []));
    assert.notEqual(flushHash([down], []), flushHash([{ ...down, flapping: true }], []));
    assert.notEqual(flushHash([down], []), flushHash([], [down]));
  });

  it('sends news at once and plans the repeat', () => {
    assert.deepEqual(dedup(base), { send: true, hash: flushHash([down], []), nextFlushAt: T0 + H });
  });

  it('stays quiet until the repeat is due, then repeats', () => {
    const last = { flushAt: T0, hash: flushHash([down], []) };
    assert.deepEqual(dedup({ ...base, last, now: T0 + 30 * M }), { send: false, hash: last.hash, nextFlushAt: T0 + H, rememberHash: false });
    assert.equal(dedup({ ...base, last, now: T0 + H }).send, true);
  });

  it('does not repeat what is acknowledged, and looks again a repeat later', () => {
    const last = { flushAt: T0, hash: flushHash([down], []) };
    assert.deepEqual(dedup({ ...base, last, acknowledged: true, now: T0 + H }), { send: false, hash: last.hash, nextFlushAt: T0 + 2 * H, rememberHash: false });
  });

  it('remembers that nothing fires, so firing again is news', () => {
    assert.deepEqual(dedup({ ...base, firing: [], anyFiring: false }), { send: false, hash: flushHash([], []), nextFlushAt: undefined, rememberHash: true });
  });
});
