import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ownerOf } from './schedule';

const KEYS = Array.from({ length: 3000 }, (_, i) => `system:orders-db-${i}`);
const PROBERS = ['prober-a', 'prober-b', 'prober-c'];

describe('ownerOf (rendezvous hashing)', () => {
  it('has no owner without live probers', () => {
    assert.equal(ownerOf('system:x', []), undefined);
  });

  it('gives the only prober everything', () => {
    assert.equal(ownerOf('system:x', ['solo']), 'solo');
  });

  it('is stable: the same key and prober set give the same owner in any order', () => {
    for (const k of KEYS.slice(0, 200)) {
      const owner = ownerOf(k, PROBERS);
      assert.equal(ownerOf(k, [...PROBERS].reverse()), owner, k);
      assert.equal(ownerOf(k, ['prober-b', 'prober-c', 'prober-a']), owner, k);
    }
  });

  it('balances keys roughly evenly over three probers', () => {
    const counts = new Map<string, number>();
    for (const k of KEYS) {
      const o = ownerOf(k, PROBERS)!;
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), PROBERS);
    for (const [p, n] of counts) assert.ok(n > 800 && n < 1200, `${p} owns ${n} of ${KEYS.length}`);
  });

  it('moves only the leaving prober’s keys (about a third) when one leaves', () => {
    const before = new Map(KEYS.map((k) => [k, ownerOf(k, PROBERS)!]));
    const remaining = PROBERS.filter((p) => p !== 'prober-b');
    let moved = 0;
    for (const k of KEYS) {
      const after = ownerOf(k, remaining)!;
      if (after !== before.get(k)) {
        moved += 1;
        assert.equal(before.get(k), 'prober-b', `${k} moved from a prober that stayed`);
      }
    }
    assert.ok(moved > 800 && moved < 1200, `${moved} of ${KEYS.length} keys moved`);
  });

  it('moves only about a quarter of the keys to a prober that joins', () => {
    const before = new Map(KEYS.map((k) => [k, ownerOf(k, PROBERS)!]));
    const joined = [...PROBERS, 'prober-d'];
    let moved = 0;
    for (const k of KEYS) {
      const after = ownerOf(k, joined)!;
      if (after !== before.get(k)) {
        moved += 1;
        assert.equal(after, 'prober-d', `${k} moved between probers that were already there`);
      }
    }
    assert.ok(moved > 600 && moved < 900, `${moved} of ${KEYS.length} keys moved`);
  });
});
