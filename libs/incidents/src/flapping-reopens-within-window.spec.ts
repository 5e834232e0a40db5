import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologyEvent } from '../../topology/src/events';
import { decide, type OpenIncident, type SystemGraph } from './correlate';

const T = Date.UTC(2026, 2, 1, 10, 0, 0); // when incident 3 resolved
const MIN = 60_000;
const WINDOW = 5 * MIN;
const graph: SystemGraph = { dependsOn: new Map([['orders-db', []], ['cache', []]]), layer: new Map([['orders-db', 'storage'], ['cache', 'cache']]) };

const at = (system: string, ms: number, bad = true): TopologyEvent => ({ kind: bad ? 'member_down' : 'member_up', system, at: ms, severity: bad ? 'critical' : 'info', bad, message: '', details: {} });
const resolved = (id: number, system: string, resolvedAt: number): OpenIncident => ({ id, systems: [system], rootSystem: system, state: 'resolved', resolvedAt });

describe('the same system failing again soon after its incident resolved', () => {
  const inc3 = resolved(3, 'orders-db', T);

  it('reopens it within the window', () => {
    assert.deepEqual(decide(at('orders-db', T + 4 * MIN), [inc3], graph, WINDOW), { action: 'reopen', incidentId: 3 });
  });

  it('reopens it exactly at the end of the window', () => {
    assert.deepEqual(decide(at('orders-db', T + WINDOW), [inc3], graph, WINDOW), { action: 'reopen', incidentId: 3 });
  });

  it('opens a new one after the window', () => {
    assert.deepEqual(decide(at('orders-db', T + WINDOW + 1), [inc3], graph, WINDOW), { action: 'open' });
  });

  it('a recovery does not reopen anything', () => {
    assert.deepEqual(decide(at('orders-db', T + MIN, false), [inc3], graph, WINDOW), { action: 'none' });
  });

  it('the most recently resolved of several is reopened', () => {
    const older = resolved(2, 'orders-db', T - 2 * MIN);
    assert.deepEqual(decide(at('orders-db', T + MIN), [older, inc3], graph, WINDOW), { action: 'reopen', incidentId: 3 });
    assert.deepEqual(decide(at('orders-db', T + MIN), [inc3, older], graph, WINDOW), { action: 'reopen', incidentId: 3 });
  });

  it("another system's recent incident is not reopened", () => {
    assert.deepEqual(decide(at('cache', T + MIN), [inc3], graph, WINDOW), { action: 'open' });
  });

  it('an open incident of the system wins over reopening', () => {
    const open: OpenIncident = { id: 4, systems: ['orders-db'], rootSystem: 'orders-db', state: 'open' };
    assert.deepEqual(decide(at('orders-db', T + MIN), [inc3, open], graph, WINDOW), { action: 'join', incidentId: 4, as: 'cause' });
  });
});
