import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationPayload, NotifiedAlert } from './notification';
import { renderEmail } from './email-render';

const alert = (over: Partial<NotifiedAlert> & { name: string; member?: string }): NotifiedAlert => ({
  fingerprint: `fp-${over.name}-${over.member ?? ''}`,
  status: 'firing',
  labels: { alertname: over.name, severity: 'critical', system: 'orders-db', ...(over.member ? { member: over.member } : {}) },
  annotations: { summary: `orders-db: ${over.member ?? 'system'} problem` },
  startsAt: '2026-03-02T03:12:02.000Z',
  ...over,
});
const base: NotificationPayload = {
  id: 'n-abc-email',
  kind: 'alerts',
  receiver: 'oncall',
  status: 'firing',
  groupKey: '0:{"system":"orders-db"}',
  groupLabels: { system: 'orders-db' },
  commonLabels: { system: 'orders-db' },
  commonAnnotations: {},
  alerts: [
    alert({ name: 'MemberDown', member: 'pg1', annotations: { summary: 'orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07', reason: 'connection refused' }, incidentId: 42 }),
    alert({ name: 'FailoverHappened', annotations: { summary: 'orders-db: failover pg1 → pg2 at 03:12:07' }, incidentId: 42 }),
    alert({ name: 'ReplicationLagging', member: 'pg3', status: 'resolved', labels: { alertname: 'ReplicationLagging', severity: 'warning', system: 'orders-db', member: 'pg3' }, annotations: { summary: 'orders-db: pg3 is 7.3s behind' }, endsAt: '2026-03-02T03:13:00.000Z' }),
  ],
  externalUrl: 'https://nines.example.com',
  incidentUrl: 'https://nines.example.com/incidents/42',
  ackUrl: 'https://nines.example.com/api/v1/ack/42.1772000000.sig_-x',
};

describe('email: readable on a phone', () => {
  const mail = renderEmail(base);

  it('the subject says state, count, group and the first summary, short enough for a lock screen', () => {
    assert.equal(mail.subject, '[Nines] FIRING 2 orders-db: orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07');
    assert.ok(mail.subject.length <= 200);
    assert.doesNotMatch(mail.subject, /[\r\n]/);
  });

  it('a resolved group says RESOLVED; an escalation says so first; the prefix is the receiver’s', () => {
    const resolved = renderEmail({ ...base, status: 'resolved', alerts: base.alerts.map((a) => ({ ...a, status: 'resolved' as const })) }, '[db]');
    assert.match(resolved.subject, /^\[db\] RESOLVED orders-db: /);
    const esc = renderEmail({ ...base, escalation: { from: 'oncall', unacknowledgedForMs: 15 * 60_000 } });
    assert.match(esc.subject, /^\[Nines\] ESCALATED FIRING 2 /);
    assert.match(esc.text, /^Escalated: not acknowledged by oncall for 15 min\./);
  });

  it('the plain text has one line per alert (grouped in one mail), firing before resolved, then the links', () => {
    const lines = mail.text.split('\n');
    assert.equal(lines[0], 'Firing:');
    assert.ok(lines.some((l) => l.includes('MemberDown (critical): orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07')));
    assert.ok(lines.some((l) => l.includes('reason: connection refused')));
    assert.ok(mail.text.indexOf('Resolved:') > mail.text.indexOf('FailoverHappened'));
    assert.ok(lines.some((l) => l.includes('ReplicationLagging (warning): orders-db: pg3 is 7.3s behind')));
    assert.ok(lines.includes(`Acknowledge: ${base.ackUrl}`));
    assert.ok(lines.includes(`Incident: ${base.incidentUrl}`));
    assert.ok(mail.text.indexOf('Acknowledge:') > mail.text.indexOf('Resolved:'), 'links last');
    assert.ok(lines.every((l) => l.length < 160), 'no line wider than a phone can wrap sensibly');
  });

  it('the HTML scales to the phone’s width, uses readable type and big tap targets for the links', () => {
    assert.match(mail.html, /<meta name="viewport" content="width=device-width,initial-scale=1">/);
    assert.match(mail.html, /font-size:16px/);
    assert.match(mail.html, /max-width:640px/);
    assert.doesNotMatch(mail.html, /<table|width="\d{3,}"|(?<!max-)width:\s*\d{3,}px/, 'no fixed-width layout');
    assert.match(mail.html, new RegExp(`<a href="${base.ackUrl!.replace(/[.?]/g, '\\$&')}" style="display:inline-block;padding:12px 18px[^"]*">Acknowledge</a>`));
    assert.match(mail.html, /<a href="https:\/\/nines\.example\.com\/incidents\/42"[^>]*>Open incident<\/a>/);
    assert.equal((mail.html.match(/<li/g) ?? []).length, 3);
  });

  it('escapes what alerts carry into the HTML (a summary is not markup)', () => {
    const evil = renderEmail({ ...base, alerts: [alert({ name: 'TargetDown', annotations: { summary: '<script>alert(1)</script> & "quotes"', reason: '<b>x</b>' } })] });
    assert.doesNotMatch(evil.html, /<script>|<b>x<\/b>/);
    assert.match(evil.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
    assert.match(evil.text, /<script>alert\(1\)<\/script>/, 'plain text stays literal');
  });

  it('a flapping alert shows its flap count; without an incident there are no links', () => {
    const flap = renderEmail({ ...base, incidentUrl: undefined, ackUrl: undefined, alerts: [alert({ name: 'TargetDown', flapping: true, flapCount: 6 })] });
    assert.match(flap.text, /flapping ×6/);
    assert.match(flap.html, /flapping ×6/);
    assert.doesNotMatch(flap.text, /Acknowledge:|Incident:/);
    assert.doesNotMatch(flap.html, />Acknowledge<|>Open incident</);
  });
});
