import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locationAlerts } from '../../alerting/src/rules';
import { locationReport, type LocationSeen } from './location-report';
import type { Vote } from './location-votes';
import type { ProbeTarget } from './target';

const NOW = 1_000_000;
const t = (key: string, extra: Partial<ProbeTarget> = {}): ProbeTarget => ({ key, name: key, intervalMs: 1000, timeoutMs: 500, labels: {}, probe: { kind: 'http' }, ...extra });
const seen = (name: string, up = true, ago = 0): LocationSeen => ({ name, up, probers: up ? 1 : 0, lastSeen: NOW - ago });
const up = (extra: Partial<Vote> = {}): Vote => ({ up: true, at: NOW - 100, ...extra });
const down = (reason = 'timeout after 500ms'): Vote => ({ up: false, at: NOW - 100, reason });
const votes = (o: Record<string, Record<string, Vote>>) => new Map(Object.entries(o).map(([l, m]) => [l, new Map(Object.entries(m))]));
const partition = { minTargets: 3, share: 0.5 };

describe('what the locations see together', () => {
  const targets = ['a', 'b', 'c', 'd'].map((k) => t(k));
  const all = (v: () => Vote) => Object.fromEntries(targets.map((x) => [x.key, v()]));

  it('a location that loses most targets the others reach is one partition; its targets are not also reported one by one', () => {
    const r = locationReport({ targets, locations: ['dc1', 'dc2', 'dc3'].map((l) => seen(l)), votes: votes({ dc1: all(up), dc2: all(down), dc3: all(up) }), now: NOW, partition });
    const dc2 = r.locations.find((l) => l.name === 'dc2')!;
    assert.deepEqual(dc2.partition?.unreachable, ['a', 'b', 'c', 'd']);
    assert.match(dc2.partition!.message, /^dc2 cannot reach 4 of its 4 targets that other locations reach: a, b, c, d$/);
    assert.deepEqual(r.degraded, []);
    const alerts = locationAlerts(r, NOW).map((a) => a.labels);
    assert.deepEqual(alerts, [{ alertname: 'LocationPartitioned', severity: 'critical', location: 'dc2' }]);
  });

  it('one target down from one location is a warning naming it; down from a quorum is not a location matter', () => {
    const r = locationReport({
      targets,
      locations: ['dc1', 'dc2', 'dc3'].map((l) => seen(l)),
      votes: votes({ dc1: { ...all(up), d: down() }, dc2: { ...all(up), a: down('connection refused'), d: down() }, dc3: all(up) }),
      now: NOW,
      partition,
    });
    assert.deepEqual(r.degraded.map((d) => d.message), ['a: down from dc2 (connection refused); up from dc1, dc3']);
    assert.ok(r.locations.every((l) => !l.partition));
    assert.deepEqual(locationAlerts(r, NOW).map((a) => [a.labels.alertname, a.labels.target, a.labels.location, a.annotations.reason]), [['TargetDownFromLocation', 'a', 'dc2', 'connection refused']]);
  });

  it('a lapsed location is reported down and its (old) votes count for nothing', () => {
    const r = locationReport({ targets, locations: [seen('dc1'), seen('dc2'), seen('dc3', false, 60_000)], votes: votes({ dc1: all(up), dc2: all(up), dc3: all(down) }), now: NOW, partition });
    assert.deepEqual(r.degraded, []);
    assert.ok(r.locations.every((l) => !l.partition));
    const a = locationAlerts(r, NOW);
    assert.deepEqual(a.map((x) => [x.labels.alertname, x.labels.location]), [['LocationDown', 'dc3']]);
    assert.match(a[0].annotations.summary, /^dc3: no prober has reported for 1m/);
  });

  it('two locations seeing two VIP holders is split brain from outside, though each sees a healthy system', () => {
    const vip = t('edge/@endpoint', { system: 'edge', isEndpoint: true });
    const r = locationReport({
      targets: [vip],
      locations: ['dc1', 'dc2', 'dc3'].map((l) => seen(l)),
      votes: votes({ dc1: { [vip.key]: up({ leader: 'lb1' }) }, dc2: { [vip.key]: up({ leader: 'lb2' }) }, dc3: { [vip.key]: up({ leader: 'lb1' }) } }),
      now: NOW,
      partition,
    });
    assert.deepEqual(r.split_brain, [{ system: 'edge', holders: { lb1: ['dc1', 'dc3'], lb2: ['dc2'] }, message: 'split brain seen from outside on edge: dc1, dc3 see lb1; dc2 sees lb2' }]);
    assert.deepEqual(locationAlerts(r, NOW).map((a) => [a.labels.alertname, a.labels.severity, a.labels.system]), [['SplitBrainSeenFromOutside', 'page', 'edge']]);
  });

  it('without an endpoint, the one member each location sees leading is its holder; one view is no split', () => {
    const m1 = t('db/pg1', { system: 'db', member: 'pg1' });
    const m2 = t('db/pg2', { system: 'db', member: 'pg2' });
    const split = locationReport({
      targets: [m1, m2],
      locations: [seen('dc1'), seen('dc2')],
      votes: votes({ dc1: { 'db/pg1': up({ role: 'primary' }), 'db/pg2': down() }, dc2: { 'db/pg1': down(), 'db/pg2': up({ role: 'primary' }) } }),
      now: NOW,
      partition,
    });
    assert.deepEqual(split.split_brain.map((s) => s.holders), [{ pg1: ['dc1'], pg2: ['dc2'] }]);
    const agreed = locationReport({
      targets: [m1, m2],
      locations: [seen('dc1'), seen('dc2')],
      votes: votes({ dc1: { 'db/pg1': up({ role: 'primary' }), 'db/pg2': up({ role: 'replica' }) }, dc2: { 'db/pg1': up({ role: 'primary' }), 'db/pg2': up({ role: 'replica' }) } }),
      now: NOW,
      partition,
    });
    assert.deepEqual(agreed.split_brain, []);
  });

  it('targets probed from a subset of locations are judged by those only; stale votes are no view', () => {
    const only = t('x', { locations: ['dc1', 'dc2'], quorum: 1 });
    const r = locationReport({ targets: [only], locations: ['dc1', 'dc2', 'dc3'].map((l) => seen(l)), votes: votes({ dc1: { x: up() }, dc2: { x: { up: false, at: NOW - 10_000 } }, dc3: { x: down() } }), now: NOW, partition });
    assert.deepEqual(r.degraded, [], 'dc3 does not probe x; dc2 is stale');
  });
});
