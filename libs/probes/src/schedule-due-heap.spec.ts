import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DueHeap } from './schedule';

describe('DueHeap', () => {
  it('is empty at first', () => {
    const h = new DueHeap<{ dueAt: number }>();
    assert.equal(h.size, 0);
    assert.equal(h.peek(), undefined);
    assert.equal(h.pop(), undefined);
  });

  it('pops items in due order whatever the push order', () => {
    const h = new DueHeap<{ dueAt: number; id: string }>();
    const dues = [50, 10, 40, 10, 30, 20, 60, 0, 45, 35, 5, 25];
    dues.forEach((dueAt, i) => h.push({ dueAt, id: `t${i}` }));
    assert.equal(h.size, dues.length);
    assert.equal(h.peek()!.dueAt, 0);
    const out: number[] = [];
    for (let item = h.pop(); item; item = h.pop()) out.push(item.dueAt);
    assert.deepEqual(out, [...dues].sort((a, b) => a - b));
    assert.equal(h.size, 0);
  });

  it('keeps order when pushes and pops interleave (the scheduler pattern)', () => {
    const h = new DueHeap<{ dueAt: number }>();
    // Deterministic pseudo-random sequence.
    let x = 12345;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    let lastPopped = -Infinity;
    let now = 0;
    for (let step = 0; step < 2000; step++) {
      if (h.size === 0 || rnd() < 0.6) h.push({ dueAt: now + Math.floor(rnd() * 1000) });
      else {
        const item = h.pop()!;
        assert.ok(item.dueAt >= lastPopped, `popped ${item.dueAt} after ${lastPopped}`);
        lastPopped = item.dueAt;
        now = item.dueAt;
      }
    }
  });

  it('clear empties it', () => {
    const h = new DueHeap<{ dueAt: number }>();
    h.push({ dueAt: 1 });
    h.push({ dueAt: 2 });
    h.clear();
    assert.equal(h.size, 0);
    assert.equal(h.pop(), undefined);
  });
});
