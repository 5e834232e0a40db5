import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationPayload } from './notification';
import { renderBody } from './webhook-formats';

const payload: NotificationPayload = {
  id: 'n-1-webhook',
  kind: 'alerts',
  receiver: 'am-bridge',
  status: 'firing',
  groupKey: '0.0:{"system":"orders-db"}',
  groupLabels: { system: 'orders-db' },
  commonLabels: { system: 'orders-db', layer: 'storage' },
  commonAnnotations: {},
  alerts: [
    {
      fingerprint: 'a1b2c3d4e5f60718',
      status: 'firing',
      labels: { alertname: 'MemberDown', severity: 'critical', system: 'orders-db', layer: 'storage', member: 'pg1' },
      annotations: { summary: 'orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07', reason: undefined },
      startsAt: '2026-03-02T03:12:02.000Z',
      incidentId: 42,
      incidentUrl: 'https://nines.example.com/incidents/42',
      flapping: true,
      flapCount: 5,
    },
    {
      fingerprint: '0718a1b2c3d4e5f6',
      status: 'resolved',
      labels: { alertname: 'ReplicationLagging', severity: 'warning', system: 'orders-db', layer: 'storage', member: 'pg3' },
      annotations: { summary: 'orders-db: pg3 is 7.3s behind', description: 'lag', reason: 'lag' },
      startsAt: '2026-03-02T03:00:00.000Z',
      endsAt: '2026-03-02T03:10:00.000Z',
    },
  ],
  externalUrl: 'https://nines.example.com',
  incidentUrl: 'https://nines.example.com/incidents/42',
  ackUrl: 'https://nines.example.com/api/v1/ack/42.1772000000.abc',
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isStringMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

describe('webhook format alertmanager: the Alertmanager webhook v4 payload', () => {
  // As sent on the wire: JSON, so undefined fields vanish exactly as they would for a receiver.
  const body = JSON.parse(JSON.stringify(renderBody('alertmanager', payload)));

  it('has exactly the top-level fields of version 4, with their types', () => {
    assert.deepEqual(Object.keys(body).sort(), ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version'].sort());
    assert.equal(body.version, '4');
    assert.equal(typeof body.groupKey, 'string');
    assert.equal(body.truncatedAlerts, 0);
    assert.ok(['firing', 'resolved'].includes(body.status));
    assert.equal(body.receiver, 'am-bridge');
    assert.ok(isStringMap(body.groupLabels) && isStringMap(body.commonLabels) && isStringMap(body.commonAnnotations));
    assert.equal(body.externalURL, 'https://nines.example.com');
  });

  it('each alert has status, labels, annotations (strings only), startsAt/endsAt, generatorURL and fingerprint', () => {
    assert.equal(body.alerts.length, 2);
    for (const a of body.alerts) {
      assert.deepEqual(Object.keys(a).sort(), ['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'startsAt', 'status']);
      assert.ok(isStringMap(a.labels), JSON.stringify(a.labels));
      assert.ok(isStringMap(a.annotations), JSON.stringify(a.annotations));
      assert.match(a.startsAt, RFC3339);
      assert.match(a.endsAt, RFC3339);
      assert.match(a.fingerprint, /^[0-9a-f]{16}$/);
      assert.doesNotThrow(() => new URL(a.generatorURL));
    }
  });

  it('a firing alert has the zero endsAt, as Alertmanager sends it; a resolved one its end', () => {
    assert.equal(body.alerts[0].endsAt, '0001-01-01T00:00:00Z');
    assert.equal(body.alerts[1].endsAt, '2026-03-02T03:10:00.000Z');
  });

  it('the ack and incident links travel as annotations, where Alertmanager templates look', () => {
    assert.equal(body.alerts[0].annotations.incident_url, 'https://nines.example.com/incidents/42');
    assert.equal(body.alerts[0].annotations.ack_url, payload.ackUrl);
    assert.equal(body.alerts[0].annotations.summary, payload.alerts[0].annotations.summary);
    assert.equal(body.alerts[0].generatorURL, 'https://nines.example.com/incidents/42');
  });
});

describe('webhook format standard: Nines’ own stable schema', () => {
  const body = JSON.parse(JSON.stringify(renderBody('standard', payload)));

  it('is versioned and carries id, links and flap count', () => {
    assert.equal(body.schema, 'nines.notification.v1');
    assert.equal(body.id, payload.id);
    assert.equal(body.ack_url, payload.ackUrl);
    assert.equal(body.incident_url, payload.incidentUrl);
    assert.equal(body.alerts[0].flapping, true);
    assert.equal(body.alerts[0].flap_count, 5);
    assert.equal(body.alerts[0].incident_id, 42);
    assert.deepEqual(Object.keys(body).sort(), ['ack_url', 'alerts', 'common_labels', 'group_key', 'group_labels', 'id', 'incident_url', 'receiver', 'schema', 'status']);
  });
});

describe('webhook format slack: one readable message', () => {
  it('names the count, each alert with its summary and flap count, and the links', () => {
    const { text } = renderBody('slack', payload) as { text: string };
    assert.match(text, /^:rotating_light: 1 firing\n/);
    assert.match(text, /• \*MemberDown\* orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07 _\(flapping ×5\)_/);
    assert.match(text, /• \*ReplicationLagging\* \(resolved\) orders-db: pg3 is 7\.3s behind/);
    assert.match(text, /<https:\/\/nines\.example\.com\/incidents\/42\|incident> · <https:\/\/nines\.example\.com\/api\/v1\/ack\/[^|]+\|acknowledge>/);
  });
});
