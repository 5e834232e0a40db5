import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alert, firingPayload, resolvedPayload } from './notify-fixtures';
import { pagerdutyEvent } from './pagerduty.notifier';

const KEY = 'R0123456789abcdef0123456789abcde';

describe('PagerDuty Events API v2 events', () => {
  it('a firing group triggers with summary, source, severity and links; its resolution resolves with the same dedup_key and no payload', () => {
    const t = pagerdutyEvent(firingPayload(), KEY) as any;
    assert.equal(t.routing_key, KEY);
    assert.equal(t.event_action, 'trigger');
    assert.match(t.dedup_key, /^nines-[0-9a-f]{40}$/);
    assert.equal(t.payload.summary, '[FIRING:1] orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07');
    assert.equal(t.payload.source, 'orders-db');
    assert.equal(t.payload.severity, 'critical', 'severity page is critical');
    assert.equal(t.payload.timestamp, '2026-03-02T03:12:00.000Z');
    assert.equal(t.payload.class, 'SystemDown');
    assert.deepEqual(t.links.map((l: { href: string }) => l.href), ['https://nines.example.com/incidents/42', firingPayload().ackUrl]);
    const r = pagerdutyEvent(resolvedPayload(), KEY);
    assert.deepEqual(r, { routing_key: KEY, event_action: 'resolve', dedup_key: t.dedup_key });
  });

  it('the dedup_key follows the group, not the notification: a repeat keys alike, another group differs', () => {
    const a = pagerdutyEvent(firingPayload(), KEY) as any;
    const repeat = pagerdutyEvent(firingPayload({ id: 'n-other' }), KEY) as any;
    const other = pagerdutyEvent(firingPayload({ groupKey: '{}:{system="cache"}' }), KEY) as any;
    assert.equal(repeat.dedup_key, a.dedup_key);
    assert.notEqual(other.dedup_key, a.dedup_key);
    assert.ok(a.dedup_key.length <= 255);
  });

  it('severities map onto critical, error, warning and info; the worst firing one wins', () => {
    const sev = (s: string) => (pagerdutyEvent(firingPayload({ alerts: [alert({ labels: { alertname: 'X', severity: s } })], commonLabels: {} }), KEY) as any).payload.severity;
    assert.deepEqual(['page', 'critical', 'warning', 'info', 'odd'].map(sev), ['critical', 'error', 'warning', 'info', 'warning']);
    const mixed = firingPayload({ alerts: [alert({ labels: { alertname: 'A', severity: 'warning' } }), alert({ labels: { alertname: 'B', severity: 'critical' } })] });
    assert.equal((pagerdutyEvent(mixed, KEY) as any).payload.severity, 'error');
  });

  it('a long summary is cut to the 1024 characters the API takes', () => {
    const p = firingPayload({ alerts: [alert({ annotations: { summary: 'x'.repeat(5000) } })] });
    const s = (pagerdutyEvent(p, KEY) as any).payload.summary as string;
    assert.equal(s.length, 1024);
    assert.ok(s.endsWith('…'));
  });
});
