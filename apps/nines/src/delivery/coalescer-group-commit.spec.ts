import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Coalescer } from './coalescer';

/** A fake statement: records each batch, answers when the test says so. */
function fakeStore() {
  const batches: string[][] = [];
  const singles: string[] = [];
  const pending: { keys: string[]; resolve(m: Map<string, string>): void; reject(e: unknown): void }[] = [];
  return {
    batches,
    singles,
    pending,
    many: (keys: string[]) =>
      new Promise<Map<string, string>>((resolve, reject) => {
        batches.push(keys);
        pending.push({ keys, resolve, reject });
      }),
    one: async (key: string) => {
      singles.push(key);
      return `one:${key}`;
    },
    answer(i: number) {
      const p = pending[i];
      p.resolve(new Map(p.keys.map((k) => [k, `row:${k}`])));
    },
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('Coalescer: group commit of per-delivery statements', () => {
  it('calls made in one turn of the event loop go as one batch', async () => {
    const s = fakeStore();
    const c = new Coalescer(s.many, s.one, { exclusive: false });
    const calls = ['a', 'b', 'c'].map((k) => c.call(k));
    await turn();
    assert.deepEqual(s.batches, [['a', 'b', 'c']]);
    s.answer(0);
    assert.deepEqual(await Promise.all(calls), ['row:a', 'row:b', 'row:c']);
  });

  it('a lone call goes through the single-key statement, with no added wait', async () => {
    const s = fakeStore();
    const c = new Coalescer(s.many, s.one, { exclusive: false });
    assert.equal(await c.call('x'), 'one:x');
    assert.deepEqual(s.batches, []);
    assert.deepEqual(s.singles, ['x']);
  });

  it('while a batch runs, new calls wait and then go together in the next one', async () => {
    const s = fakeStore();
    const c = new Coalescer(s.many, s.one, { exclusive: false });
    const first = [c.call('a'), c.call('b')];
    await turn();
    assert.equal(c.running, 1);
    // Three turns' worth of calls arrive while the first statement is out.
    const later = [c.call('c')];
    await turn();
    later.push(c.call('d'));
    await turn();
    later.push(c.call('e'));
    await turn();
    assert.deepEqual(s.batches, [['a', 'b']], 'nothing else is sent while a batch is running');
    s.answer(0);
    assert.deepEqual(await Promise.all(first), ['row:a', 'row:b']);
    await turn();
    await turn();
    assert.deepEqual(s.batches, [['a', 'b'], ['c', 'd', 'e']]);
    s.answer(1);
    assert.deepEqual(await Promise.all(later), ['row:c', 'row:d', 'row:e']);
    assert.equal(c.running, 0);
  });

  it('maxInFlight lets that many batches run at once', async () => {
    const s = fakeStore();
    const c = new Coalescer(s.many, s.one, { exclusive: false, maxInFlight: 2 });
    const a = [c.call('a'), c.call('b')];
    await turn();
    const b = [c.call('c'), c.call('d')];
    await turn();
    const d = [c.call('e'), c.call('f')];
    await turn();
    assert.deepEqual(s.batches, [['a', 'b'], ['c', 'd']]);
    s.answer(1);
    await Promise.all(b);
    await turn();
    await turn();
    assert.deepEqual(s.batches, [['a', 'b'], ['c', 'd'], ['e', 'f']]);
    s.answer(0);
    s.answer(2);
    assert.deepEqual([...(await Promise.all(a)), ...(await Promise.all(d))], ['row:a', 'row:b', 'row:e', 'row:f']);
  });

  it('splits at maxBatch', async () => {
    const s = fakeStore();
    const c = new Coalescer(s.many, s.one, { exclusive: false, maxBatch: 2, maxInFlight: 4 });
    const calls = ['a', 'b', 'c', 'd', 'e'].map((k) => c.call(k));
    await turn();
    assert.deepEqual(s.batches, [['a', 'b'], ['c', 'd']]);
    assert.deepEqual(s.singles, ['e'], 'the remainder of one key goes alone');
    s.answer(0);
    s.answer(1);
    assert.deepEqual(await Promise.all(calls), ['row:a', 'row:b', 'row:c', 'row:d', 'one:e']);
  });

  it('exclusive: a key asked twice in one batch is answered once, the other caller gets nothing', async () => {
    const s = fakeStore();
    const c = new Coalescer(s.many, s.one, { exclusive: true });
    const calls = [c.call('a'), c.call('a'), c.call('b')];
    await turn();
    assert.deepEqual(s.batches, [['a', 'b']], 'the statement gets each key once');
    s.answer(0);
    assert.deepEqual(await Promise.all(calls), ['row:a', undefined, 'row:b']);
  });

  it('not exclusive: both callers of a key get its answer', async () => {
    const s = fakeStore();
    const c = new Coalescer(s.many, s.one, { exclusive: false });
    const calls = [c.call('a'), c.call('a')];
    await turn();
    s.answer(0);
    assert.deepEqual(await Promise.all(calls), ['row:a', 'row:a']);
  });

  it('a failed batch is retried key by key: one bad key fails only its own caller', async () => {
    const many = async () => {
      throw new Error('deadlock detected');
    };
    const one = async (k: string) => {
      if (k === 'bad') throw new Error('bad key');
      return `one:${k}`;
    };
    const c = new Coalescer(many, one, { exclusive: false });
    const calls = [c.call('a'), c.call('bad'), c.call('b')].map((p) => p.then((v) => ({ v }), (e: Error) => ({ e: e.message })));
    assert.deepEqual(await Promise.all(calls), [{ v: 'one:a' }, { e: 'bad key' }, { v: 'one:b' }]);
    // And the coalescer is free for the next batch.
    assert.equal(c.running, 0);
    assert.equal(await c.call('c'), 'one:c');
  });
});
