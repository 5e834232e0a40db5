import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lanes, LanesClosedError } from './lanes';

/** Work that finishes when the test says so. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('Lanes: deliveries in flight per receiver', () => {
  it('runs at most the lane limit at once; the rest wait and start in arrival order', async () => {
    const lanes = new Lanes();
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => gate());
    const runs = gates.map((g, i) =>
      lanes.run('hook/webhook', 2, async () => {
        started.push(i);
        await g.done;
        return i;
      }),
    );
    await turn();
    assert.deepEqual(started, [0, 1]);
    assert.deepEqual(lanes.snapshot(), { 'hook/webhook': { running: 2, waiting: 3 } });
    gates[1].open();
    await turn();
    assert.deepEqual(started, [0, 1, 2], 'a finished delivery lets the first waiting one start');
    gates[0].open();
    gates[2].open();
    await turn();
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    gates[3].open();
    gates[4].open();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4]);
    assert.deepEqual(lanes.snapshot(), {}, 'an idle lane is forgotten');
  });

  it('a full lane does not hold up another receiver', async () => {
    const lanes = new Lanes();
    const hung = gate();
    const stuck = lanes.run('hanging/webhook', 1, () => hung.done);
    const queued = lanes.run('hanging/webhook', 1, async () => 'late');
    assert.equal(await lanes.run('fast/webhook', 1, async () => 'served'), 'served');
    assert.deepEqual(lanes.snapshot(), { 'hanging/webhook': { running: 1, waiting: 1 } });
    hung.open();
    await stuck;
    assert.equal(await queued, 'late');
  });

  it('a delivery that throws frees its slot; the error reaches its caller only', async () => {
    const lanes = new Lanes();
    const g = gate();
    const failing = lanes.run('r/email', 1, () => g.done);
    const next = lanes.run('r/email', 1, async () => 'next ran');
    g.fail(new Error('SMTP 421'));
    await assert.rejects(failing, /SMTP 421/);
    assert.equal(await next, 'next ran');
    assert.deepEqual(lanes.snapshot(), {});
  });

  it('each run names the limit of its lane; a limit below 1 counts as 1', async () => {
    const lanes = new Lanes();
    const gates = Array.from({ length: 4 }, () => gate());
    let running = 0;
    let peak = 0;
    const work = (g: ReturnType<typeof gate>) => async () => {
      peak = Math.max(peak, ++running);
      await g.done;
      running--;
    };
    const mails = gates.slice(0, 2).map((g) => lanes.run('r/email', 0, work(g)));
    await turn();
    assert.deepEqual(lanes.snapshot(), { 'r/email': { running: 1, waiting: 1 } });
    for (const g of gates) g.open();
    await Promise.all(mails);
    assert.equal(peak, 1);
  });

  it('close(): running work finishes, waiting work and later calls fail at once (the shutdown does not wait behind a backlog)', async () => {
    const lanes = new Lanes();
    const g = gate();
    const running = lanes.run('hanging/webhook', 1, async () => {
      await g.done;
      return 'finished';
    });
    const waiting = [lanes.run('hanging/webhook', 1, async () => 'never'), lanes.run('hanging/webhook', 1, async () => 'never')];
    lanes.close();
    for (const w of waiting) await assert.rejects(w, LanesClosedError);
    await assert.rejects(lanes.run('other/webhook', 1, async () => 'never'), LanesClosedError);
    g.open();
    assert.equal(await running, 'finished');
  });
});
