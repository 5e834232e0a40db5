import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventKind, TopologyEvent } from '../../topology/src/events';
import { decide, type OpenIncident, type SystemGraph } from './correlate';
import { entriesFor } from './timeline';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const WINDOW = 5 * 60_000;
// edge → web → orders-db; reports is on its own.
const graph: SystemGraph = {
  dependsOn: new Map([
    ['edge', ['web']],
    ['web', ['orders-db']],
    ['orders-db', []],
    ['reports', []],
  ]),
  layer: new Map([
    ['edge', 'access'],
    ['web', 'service'],
    ['orders-db', 'storage'],
    ['reports', 'service'],
  ]),
};

const ev = (system: string, kind: EventKind, bad: boolean, at = T0 + 5000): TopologyEvent => ({
  kind,
  system,
  at,
  severity: bad ? 'critical' : 'info',
  bad,
  message: `${system}: ${kind}`,
  details: {},
});
const dbIncident: OpenIncident = { id: 1, systems: ['orders-db'], rootSystem: 'orders-db', state: 'open' };

describe('a system failing while a system it depends on has an open incident', () => {
  it('joins that incident as impact', () => {
    assert.deepEqual(decide(ev('web', 'service_down', true), [dbIncident], graph, WINDOW), { action: 'join', incidentId: 1, as: 'impact' });
  });

  it('also through a chain of dependencies', () => {
    assert.deepEqual(decide(ev('edge', 'service_down', true), [dbIncident], graph, WINDOW), { action: 'join', incidentId: 1, as: 'impact' });
  });

  it('an unrelated system opens its own', () => {
    assert.deepEqual(decide(ev('reports', 'service_down', true), [dbIncident], graph, WINDOW), { action: 'open' });
  });

  it("the root's own events join as cause", () => {
    assert.deepEqual(decide(ev('orders-db', 'no_primary', true), [dbIncident], graph, WINDOW), { action: 'join', incidentId: 1, as: 'cause' });
  });

  it('once in the incident, every event of the impacted system (bad or good) joins as impact', () => {
    const inc: OpenIncident = { ...dbIncident, systems: ['orders-db', 'web'] };
    assert.deepEqual(decide(ev('web', 'service_down', true), [inc], graph, WINDOW), { action: 'join', incidentId: 1, as: 'impact' });
    assert.deepEqual(decide(ev('web', 'service_restored', false), [inc], graph, WINDOW), { action: 'join', incidentId: 1, as: 'impact' });
  });

  it("a dependency's resolved incident is not joined", () => {
    const resolved: OpenIncident = { ...dbIncident, state: 'resolved', resolvedAt: T0 };
    assert.deepEqual(decide(ev('web', 'service_down', true), [resolved], graph, WINDOW), { action: 'open' });
  });
});

describe('the timeline of an impact', () => {
  it('a bad event adds an impact entry, then the event', () => {
    const e = ev('web', 'service_down', true);
    const out = entriesFor(e, { milestones: new Set(['detected', 'first_failure_observed']), hasEndpoint: () => true, rootSystem: 'orders-db' }, { opening: false, joinedAs: 'impact' });
    assert.deepEqual(out, [
      { system: 'web', member: undefined, at: T0 + 5000, kind: 'impact', message: 'impact on web: web: service_down', details: { event: 'service_down' } },
      { system: 'web', member: undefined, at: T0 + 5000, kind: 'service_down', message: 'web: service_down', details: {} },
    ]);
  });

  it('a recovery of the impacted system is not an impact: the event, and service_restored if none yet', () => {
    const e = ev('web', 'service_restored', false, T0 + 9000);
    const milestones = new Set(['detected']);
    const out = entriesFor(e, { milestones, hasEndpoint: () => true, rootSystem: 'orders-db' }, { opening: false, joinedAs: 'impact' });
    assert.deepEqual(out.map((x) => x.kind), ['service_restored', 'service_restored']);
    assert.equal(out[1].message, 'web: service_restored');
    assert.equal(milestones.has('service_restored'), true);
    const again = entriesFor(ev('web', 'service_restored', false, T0 + 20_000), { milestones, hasEndpoint: () => true, rootSystem: 'orders-db' }, { opening: false, joinedAs: 'impact' });
    assert.deepEqual(again.map((x) => x.kind), ['service_restored']);
  });

  it('an impacted system opening the incident gets no impact entry (it is the first story told)', () => {
    const out = entriesFor(ev('web', 'service_down', true), { milestones: new Set(), hasEndpoint: () => true, rootSystem: 'web' }, { opening: true, joinedAs: 'cause' });
    assert.deepEqual(out.map((x) => x.kind), ['first_failure_observed', 'detected', 'service_down']);
  });
});
