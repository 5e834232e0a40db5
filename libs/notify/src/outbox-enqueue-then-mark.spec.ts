import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox } from './outbox';

function fakes(queueUp: boolean) {
  const calls: string[] = [];
  const outbox = new Outbox(
    { enqueue: async (ids) => (calls.push(`enqueue ${ids.join(',')}`), queueUp) },
    { markEnqueued: async (ids) => void calls.push(`mark ${ids.join(',')}`) },
  );
  return { outbox, calls };
}

describe('outbox hand-off', () => {
  it('marks rows enqueued only after the queue took them', async () => {
    const { outbox, calls } = fakes(true);
    assert.equal(await outbox.enqueue(['n-1-webhook', 'n-1-email']), true);
    assert.deepEqual(calls, ['enqueue n-1-webhook,n-1-email', 'mark n-1-webhook,n-1-email']);
  });

  it('leaves rows unmarked for the relay when the queue is down', async () => {
    const { outbox, calls } = fakes(false);
    assert.equal(await outbox.enqueue(['n-2-webhook']), false);
    assert.deepEqual(calls, ['enqueue n-2-webhook']);
  });

  it('does nothing for a flush that wrote no rows', async () => {
    const { outbox, calls } = fakes(true);
    assert.equal(await outbox.enqueue([]), true);
    assert.deepEqual(calls, []);
  });
});
