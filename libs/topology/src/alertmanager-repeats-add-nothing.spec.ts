import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertmanagerSubject, foldAlertmanagerAlert, healthAfterIngest, type AlertmanagerAlert } from './ingest-rules';
import { emptyTopology, type SystemShape } from './topology';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const NOW = T0 + 30 * 60_000; // the frozen clock: when the webhook arrives
const firing: AlertmanagerAlert = {
  status: 'firing',
  labels: { alertname: 'KafkaUnderReplicated', system: 'events', severity: 'page', instance: 'k2' },
  annotations: { summary: '3 partitions under-replicated' },
  startsAt: '2026-03-01T10:00:00.000Z',
  fingerprint: 'f1',
};
const resolved: AlertmanagerAlert = { ...firing, status: 'resolved', endsAt: '2026-03-01T10:10:00.000Z' };

describe('Alertmanager alerts folded into the topology of their system', () => {
  it('the subject: the system label (else service, job, "external") and the alert time, the clock when it has none', () => {
    assert.deepEqual(alertmanagerSubject(firing, NOW), { system: 'events', at: T0 });
    assert.deepEqual(alertmanagerSubject(resolved, NOW), { system: 'events', at: T0 + 600_000 });
    assert.deepEqual(alertmanagerSubject({ labels: { job: 'node' } }, NOW), { system: 'node', at: NOW });
    assert.deepEqual(alertmanagerSubject({ status: 'resolved' }, NOW), { system: 'external', at: NOW });
  });

  it('a new firing alert: one bad event and an external problem with its labels', () => {
    const { next, events } = foldAlertmanagerAlert(emptyTopology('events', T0 - 1), firing, T0);
    assert.deepEqual(events.map((e) => [e.kind, e.member, e.severity, e.bad, e.message]), [['external', 'k2', 'critical', true, 'events: KafkaUnderReplicated: 3 partitions under-replicated']]);
    assert.deepEqual(next.external, { 'alertmanager:f1': 'KafkaUnderReplicated: 3 partitions under-replicated' });
    assert.deepEqual(next.externalLabels, { 'alertmanager:f1': { ...firing.labels } });
  });

  it('the same alert firing again (repeat_interval, the HA pair) adds nothing', () => {
    const once = foldAlertmanagerAlert(emptyTopology('events', T0 - 1), firing, T0);
    const again = foldAlertmanagerAlert(once.next, firing, T0);
    assert.deepEqual(again.events, []);
    assert.deepEqual(again.next, once.next);
  });

  it('a firing alert whose summary changed is news', () => {
    const once = foldAlertmanagerAlert(emptyTopology('events', T0 - 1), firing, T0);
    const changed = foldAlertmanagerAlert(once.next, { ...firing, annotations: { summary: '5 partitions under-replicated' } }, T0);
    assert.equal(changed.events.length, 1);
    assert.equal(changed.next.external?.['alertmanager:f1'], 'KafkaUnderReplicated: 5 partitions under-replicated');
  });

  it('resolved once: a good event and the problem gone; resolved twice, or never fired: nothing', () => {
    const fired = foldAlertmanagerAlert(emptyTopology('events', T0 - 1), firing, T0);
    const done = foldAlertmanagerAlert(fired.next, resolved, T0 + 600_000);
    assert.deepEqual(done.events.map((e) => [e.severity, e.bad, e.message]), [['info', false, 'events: resolved: KafkaUnderReplicated: 3 partitions under-replicated']]);
    assert.deepEqual([done.next.external, done.next.externalLabels], [{}, {}]);
    assert.deepEqual(foldAlertmanagerAlert(done.next, resolved, T0 + 600_000).events, []);
    assert.deepEqual(foldAlertmanagerAlert(emptyTopology('events', T0), resolved, T0 + 600_000).events, []);
  });

  it('without a fingerprint the labels are the identity; an unknown severity is a warning', () => {
    const a: AlertmanagerAlert = { labels: { alertname: 'Odd', system: 'events', severity: 'sev9' }, startsAt: '2026-03-01T10:00:00.000Z' };
    const { next, events } = foldAlertmanagerAlert(emptyTopology('events', T0), a, T0);
    assert.deepEqual(Object.keys(next.external ?? {}), [`alertmanager:${JSON.stringify(a.labels)}`]);
    assert.equal(events[0].severity, 'warning');
    assert.equal(events[0].message, 'events: Odd: Odd');
  });

  it('health: an unprobed system is healthy while nothing external fires; a probed one is judged by its shape', () => {
    const fired = foldAlertmanagerAlert(emptyTopology('events', T0 - 1), firing, T0).next;
    assert.equal(healthAfterIngest(fired, undefined), false);
    assert.equal(healthAfterIngest(foldAlertmanagerAlert(fired, resolved, T0 + 1).next, undefined), true);
    const shape: SystemShape = { name: 'events', kind: 'kafka', expect: {}, members: ['k1'], hasEndpoint: false };
    // k1 never observed: not healthy, whatever Alertmanager says.
    assert.equal(healthAfterIngest(emptyTopology('events', T0), shape), false);
  });
});
