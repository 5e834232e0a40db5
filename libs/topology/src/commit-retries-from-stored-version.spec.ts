import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commitTopology, type KnownTopology, type TopologyChange, type TopologyStore, type TopologyWrite } from './commit';
import type { TopologyEvent } from './events';
import { emptyTopology, type SystemTopology } from './topology';
import type { StoredTopology } from './topology.repository';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

/** A store in memory whose row another writer can move on between a read and a write. */
function memoryStore(initial?: StoredTopology) {
  let row: StoredTopology = initial ?? { version: 0, healthy: true };
  const writes: TopologyWrite[] = [];
  let loads = 0;
  let interfere = 0;
  const store: TopologyStore = {
    async load() {
      loads++;
      return structuredClone(row);
    },
    async write(w) {
      writes.push(w);
      if (interfere > 0) {
        interfere--;
        row = { ...row, version: row.version + 1 };
      }
      if (w.expectedVersion !== row.version) return { ok: false, version: w.expectedVersion, incidents: [] };
      row = { topology: w.topology, version: row.version + 1, healthy: w.healthy };
      return { ok: true, version: row.version, incidents: w.events.length ? [7] : [] };
    },
  };
  return {
    store,
    writes,
    get loads() {
      return loads;
    },
    get row() {
      return row;
    },
    /** The next n writes find that another writer got there first. */
    interfereWith(n: number) {
      interfere = n;
    },
  };
}

const down: TopologyEvent = { kind: 'member_down', system: 'orders', member: 'pg1', at: T0, severity: 'critical', bad: true, message: 'orders: pg1 unreachable', details: {} };
const markDown = (current: SystemTopology): TopologyChange => ({ next: { ...current, updatedAt: T0, leader: 'pg2' }, events: [down], healthy: false });

describe('the topology commit path', () => {
  it('a system never stored: read once, start from an empty topology, written at version 1', async () => {
    const m = memoryStore();
    const known: KnownTopology = { version: 0, healthy: true };
    const r = await commitTopology(m.store, known, { system: 'orders', attempts: 2, emptyAt: () => T0 - 5, change: markDown });
    assert.equal(r.status, 'written');
    assert.deepEqual(m.writes.map((w) => [w.expectedVersion, w.healthy, w.wasHealthy, w.events.length]), [[0, false, true, 1]]);
    assert.deepEqual(known, { topology: { ...emptyTopology('orders', T0 - 5), updatedAt: T0, leader: 'pg2' }, version: 1, healthy: false });
    assert.deepEqual(r.status === 'written' && r.incidents, [7]);
  });

  it('what the writer knows is not read again', async () => {
    const m = memoryStore();
    const known: KnownTopology = { version: 0, healthy: true };
    await commitTopology(m.store, known, { system: 'orders', attempts: 2, emptyAt: () => T0, change: markDown });
    await commitTopology(m.store, known, { system: 'orders', attempts: 2, emptyAt: () => T0, change: (c) => ({ next: c, events: [], healthy: false }) });
    assert.equal(m.loads, 1);
    assert.equal(known.version, 2);
  });

  it('a conflict: read what the other writer stored and fold the input into that', async () => {
    const m = memoryStore({ topology: emptyTopology('orders', T0 - 1000), version: 4, healthy: true });
    const known: KnownTopology = { version: 0, healthy: true };
    m.interfereWith(1);
    const seen: number[] = [];
    const r = await commitTopology(m.store, known, {
      system: 'orders',
      attempts: 2,
      emptyAt: () => T0,
      change: (current, k) => {
        seen.push(k.version);
        return markDown(current);
      },
    });
    assert.equal(r.status, 'written');
    assert.deepEqual(seen, [4, 5]);
    assert.deepEqual(m.writes.map((w) => w.expectedVersion), [4, 5]);
    assert.equal(known.version, 6);
  });

  it('conflicts on every attempt: nothing written, and nothing kept that the store does not hold', async () => {
    const m = memoryStore({ topology: emptyTopology('orders', T0 - 1000), version: 4, healthy: true });
    const known: KnownTopology = { version: 0, healthy: true };
    m.interfereWith(5);
    const r = await commitTopology(m.store, known, { system: 'orders', attempts: 5, emptyAt: () => T0, change: markDown });
    assert.deepEqual(r, { status: 'conflict' });
    assert.equal(m.writes.length, 5);
    assert.equal(known.topology, undefined);
  });

  it('a quiet change may wait in memory: not written, but known for the next fold', async () => {
    const m = memoryStore({ topology: emptyTopology('orders', T0 - 1000), version: 4, healthy: true });
    const known: KnownTopology = { version: 0, healthy: true };
    const r = await commitTopology(m.store, known, {
      system: 'orders',
      attempts: 2,
      emptyAt: () => T0,
      change: (current) => ({ next: { ...current, updatedAt: T0 }, events: [], healthy: true }),
      canWait: (c, k) => !c.events.length && c.healthy === k.healthy,
    });
    assert.equal(r.status, 'kept');
    assert.equal(m.writes.length, 0);
    assert.deepEqual([known.topology?.updatedAt, known.version], [T0, 4]);
  });
});
