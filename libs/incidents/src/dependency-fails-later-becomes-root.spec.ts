import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologyEvent } from '../../topology/src/events';
import { decide, lowerOf, transitiveDeps, type OpenIncident, type SystemGraph } from './correlate';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const WINDOW = 5 * 60_000;
// edge → web → orders-db, web → cache, web → dns (a dependency in a "higher" layer).
const graph: SystemGraph = {
  dependsOn: new Map([
    ['edge', ['web']],
    ['web', ['orders-db', 'cache', 'dns']],
    ['orders-db', []],
    ['cache', []],
    ['dns', []],
  ]),
  layer: new Map([
    ['edge', 'access'],
    ['web', 'service'],
    ['orders-db', 'storage'],
    ['cache', 'cache'],
    ['dns', 'access'],
  ]),
};

const down = (system: string): TopologyEvent => ({
  kind: 'member_down',
  system,
  member: `${system}-1`,
  at: T0 + 8000,
  severity: 'critical',
  bad: true,
  message: `${system}: down`,
  details: { role: 'primary', first_failure_at: T0 + 7000 },
});

describe('a dependency failing after its dependants opened an incident', () => {
  it('joins it as cause and becomes the root', () => {
    const web: OpenIncident = { id: 7, systems: ['web'], rootSystem: 'web', state: 'open' };
    assert.deepEqual(decide(down('orders-db'), [web], graph, WINDOW), { action: 'join', incidentId: 7, as: 'cause', newRoot: 'orders-db' });
  });

  it('through a chain: edge → web → orders-db', () => {
    const edge: OpenIncident = { id: 8, systems: ['edge'], rootSystem: 'edge', state: 'open' };
    assert.deepEqual(decide(down('orders-db'), [edge], graph, WINDOW), { action: 'join', incidentId: 8, as: 'cause', newRoot: 'orders-db' });
  });

  it('a dependency beats its dependant whatever their layers', () => {
    const web: OpenIncident = { id: 9, systems: ['web'], rootSystem: 'web', state: 'open' };
    assert.deepEqual(decide(down('dns'), [web], graph, WINDOW), { action: 'join', incidentId: 9, as: 'cause', newRoot: 'dns' });
  });

  it('a second dependency unrelated to the root: the lower layer stays root, the other is impact', () => {
    const inc: OpenIncident = { id: 10, systems: ['orders-db', 'web'], rootSystem: 'orders-db', state: 'open' };
    assert.deepEqual(decide(down('cache'), [inc], graph, WINDOW), { action: 'join', incidentId: 10, as: 'impact', newRoot: undefined });
  });

  it('… and the lower layer takes over when it fails second', () => {
    const inc: OpenIncident = { id: 11, systems: ['cache', 'web'], rootSystem: 'cache', state: 'open' };
    assert.deepEqual(decide(down('orders-db'), [inc], graph, WINDOW), { action: 'join', incidentId: 11, as: 'cause', newRoot: 'orders-db' });
  });
});

describe('lowerOf and transitiveDeps', () => {
  it('follows dependencies transitively and survives cycles', () => {
    assert.deepEqual([...transitiveDeps('edge', graph)].sort(), ['cache', 'dns', 'orders-db', 'web']);
    const cyclic: SystemGraph = { dependsOn: new Map([['a', ['b']], ['b', ['a']]]), layer: new Map() };
    assert.deepEqual([...transitiveDeps('a', cyclic)].sort(), ['a', 'b']);
  });

  it('without a dependency between them, the lower layer wins; an unknown layer ranks last; a tie keeps the first', () => {
    const g: SystemGraph = { dependsOn: new Map(), layer: new Map([['db', 'storage'], ['mq', 'queue'], ['x', 'nonsense']]) };
    assert.equal(lowerOf('mq', 'db', g), 'db');
    assert.equal(lowerOf('db', 'mq', g), 'db');
    assert.equal(lowerOf('x', 'mq', g), 'mq');
    assert.equal(lowerOf('x', 'y', g), 'x');
  });
});
