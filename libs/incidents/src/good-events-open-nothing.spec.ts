import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../probes/src/observation';
import type { EventKind, TopologyEvent } from '../../topology/src/events';
import { emptyTopology, observe, type SystemShape, type SystemTopology } from '../../topology/src/topology';
import { decide, type OpenIncident, type SystemGraph } from './correlate';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const WINDOW = 5 * 60_000;
const graph: SystemGraph = { dependsOn: new Map([['web', ['orders-db']], ['orders-db', []]]), layer: new Map([['web', 'service'], ['orders-db', 'storage']]) };

const GOOD: EventKind[] = [
  'member_up',
  'service_restored',
  'primary_restored',
  'rejoined',
  'replication_restored',
  'replication_caught_up',
  'split_brain_resolved',
  'topology_restored',
  'backend_returned',
];
const good = (system: string, kind: EventKind): TopologyEvent => ({ kind, system, at: T0, severity: 'info', bad: false, message: kind, details: {} });

describe('events that say something recovered', () => {
  it('open nothing without incidents', () => {
    for (const kind of GOOD) assert.deepEqual(decide(good('orders-db', kind), [], graph, WINDOW), { action: 'none' }, kind);
  });

  it('do not reopen a recently resolved incident', () => {
    const recent: OpenIncident = { id: 1, systems: ['orders-db'], rootSystem: 'orders-db', state: 'resolved', resolvedAt: T0 - 1000 };
    for (const kind of GOOD) assert.deepEqual(decide(good('orders-db', kind), [recent], graph, WINDOW), { action: 'none' }, kind);
  });

  it("do not join a dependency's incident the system is not part of", () => {
    const db: OpenIncident = { id: 2, systems: ['orders-db'], rootSystem: 'orders-db', state: 'open' };
    for (const kind of GOOD) assert.deepEqual(decide(good('web', kind), [db], graph, WINDOW), { action: 'none' }, kind);
  });

  it("join the incident of their own system, to close the story", () => {
    const db: OpenIncident = { id: 2, systems: ['orders-db'], rootSystem: 'orders-db', state: 'open' };
    assert.deepEqual(decide(good('orders-db', 'primary_restored'), [db], graph, WINDOW), { action: 'join', incidentId: 2, as: 'cause' });
  });

  it('every event observe() marks good is one of them, and no good event opens anything', () => {
    const shape: SystemShape = { name: 'orders-db', kind: 'postgres', expect: { primaries: 1, minReplicas: 1, maxLagMs: 1000 }, members: ['pg1', 'pg2'], hasEndpoint: true };
    let t: SystemTopology = emptyTopology('orders-db', T0);
    const seen: TopologyEvent[] = [];
    let clock = 0;
    const see = (member: string | undefined, obs: Observation, status: 'up' | 'down') => {
      clock += 500;
      const at = T0 + clock;
      const r = observe(t, shape, { member, probeKind: 'postgres', intervalMs: 1000, result: { targetKey: String(member), scheduledAt: at, startedAt: at, durationMs: 1, ...obs }, status, firstFailureAt: status === 'down' ? at : undefined });
      t = r.next;
      seen.push(...r.events);
    };
    const primary = (tl: number): Observation => ({ up: true, role: 'primary', epoch: `timeline ${tl}` });
    const replica = (tl: number, lag: number, warning?: string): Observation => ({ up: true, role: 'replica', epoch: `timeline ${tl}`, lagSeconds: lag, lagBytes: 0, warning });
    see(undefined, { up: true }, 'up');
    see('pg1', primary(1), 'up');
    see('pg2', replica(1, 0), 'up');
    see('pg2', replica(1, 3), 'up');
    see('pg2', replica(1, 0, 'wal receiver not running'), 'up');
    see('pg2', replica(1, 0), 'up');
    see(undefined, { up: false, reason: 'connection refused' }, 'down');
    see('pg1', { up: false, reason: 'connection refused' }, 'down');
    see('pg2', primary(2), 'up');
    see(undefined, { up: true }, 'up');
    see('pg1', replica(2, 0), 'up');
    const goodSeen = seen.filter((e) => !e.bad);
    assert.deepEqual(
      [...new Set(goodSeen.map((e) => e.kind))].sort(),
      ['member_up', 'primary_restored', 'rejoined', 'replication_caught_up', 'replication_restored', 'service_restored', 'topology_restored'],
    );
    for (const e of goodSeen) {
      assert.ok(GOOD.includes(e.kind), e.kind);
      assert.deepEqual(decide(e, [], graph, WINDOW), { action: 'none' }, e.kind);
    }
    for (const e of seen.filter((x) => x.bad)) assert.deepEqual(decide(e, [], graph, WINDOW), { action: 'open' }, e.kind);
  });
});
