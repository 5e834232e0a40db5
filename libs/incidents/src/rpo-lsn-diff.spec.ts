import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measure, parseLsn } from './measure';
import type { TimelineEntry } from './timeline';

describe('parseLsn', () => {
  it('reads "high/low" hexadecimal as a byte position', () => {
    // 0x16 · 2^32 + 0xB374D848 = 22 · 4294967296 + 3010779208
    assert.equal(parseLsn('16/B374D848'), 97_500_059_720n);
    assert.equal(parseLsn('0/0'), 0n);
    assert.equal(parseLsn('0/3000060'), 0x3000060n);
    assert.equal(parseLsn('1/0'), 4_294_967_296n);
    assert.equal(parseLsn('16/b374d848'), 97_500_059_720n);
    assert.equal(parseLsn(' 0/16B3748 '), 0x16b3748n);
    assert.equal(parseLsn('FFFFFFFF/FFFFFFFF'), 2n ** 64n - 1n);
  });

  it('is undefined for anything else (a Redis offset, garbage)', () => {
    assert.equal(parseLsn('123456'), undefined);
    assert.equal(parseLsn('0/'), undefined);
    assert.equal(parseLsn('/0'), undefined);
    assert.equal(parseLsn('G/0'), undefined);
    assert.equal(parseLsn('0/1/2'), undefined);
    assert.equal(parseLsn(''), undefined);
  });
});

const T = Date.UTC(2026, 2, 1, 10, 0, 0);
const intervalMs = () => 1000;
function rpoOf(oldPosition: string | undefined, view: Record<string, unknown> | undefined) {
  const t: TimelineEntry[] = [
    { at: T, kind: 'member_down', system: 'orders-db', member: 'pg1', message: '', details: { role: 'primary', first_failure_at: T, last_position: oldPosition } },
    { at: T + 5000, kind: 'promoted', system: 'orders-db', member: 'pg2', message: '', details: { last_replica_view: view } },
  ];
  return measure(t, { openedAt: T, rootSystem: 'orders-db', intervalMs }).rpo;
}

describe('RPO of a PostgreSQL promotion', () => {
  it("LSN diff: the old primary's last current LSN minus the promoted replica's last received LSN", () => {
    // 16/B374D848 − 16/B3740000 = 0xD848 = 55368 bytes
    const rpo = rpoOf('16/B374D848', { at: T - 500, lagSeconds: 0.8, lagBytes: 4096, position: '16/B3740000' });
    assert.deepEqual(rpo, {
      lag_seconds: 0.8,
      lag_bytes: 4096,
      lsn_diff_bytes: 55_368,
      measured:
        "the promoted node's last observed replication lag before the failure; lsn_diff_bytes = old primary last observed LSN − promoted node last received LSN (an upper bound on writes lost, observed up to one interval before the failure)",
    });
  });

  it('across a 4 GiB segment boundary: 17/00000010 − 16/FFFFFFF0 = 32 bytes', () => {
    assert.equal(rpoOf('17/00000010', { position: '16/FFFFFFF0' }).lsn_diff_bytes, 32);
  });

  it('a replica that had received more than the old primary was last seen writing: 0, not negative', () => {
    assert.equal(rpoOf('0/3000000', { position: '0/3000100' }).lsn_diff_bytes, 0);
  });

  it('Redis offsets are not LSNs: lag only', () => {
    const rpo = rpoOf('1048576', { lagBytes: 512, position: '1048064' });
    assert.equal(rpo.lsn_diff_bytes, undefined);
    assert.equal(rpo.lag_bytes, 512);
    assert.equal(rpo.measured, "the promoted node's last observed replication lag before the failure (an upper bound on writes lost, observed up to one interval before the failure)");
  });

  it('a promoted node never seen as a replica: unknown', () => {
    assert.deepEqual(rpoOf('0/3000100', undefined), { lag_seconds: undefined, lag_bytes: undefined, lsn_diff_bytes: undefined, measured: 'the promoted node was never observed as a replica: unknown' });
  });
});
