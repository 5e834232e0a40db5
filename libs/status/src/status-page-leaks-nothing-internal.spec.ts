import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { incidentSentence, maintenanceSentence, percentText, renderStatusPage, STATUS_CSP, type StatusView } from './status-page';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const day = (i: number) => new Date(NOW - (89 - i) * 86_400_000).toISOString().slice(0, 10);

const view = (over: Partial<StatusView> = {}): StatusView => ({
  title: 'Orders <status>',
  now: NOW,
  systems: [
    { name: 'orders-db', healthy: true, availability: 0.99987, daily: Array.from({ length: 90 }, (_, i) => ({ day: day(i), availability: i === 80 ? 0.995 : i < 10 ? null : 1 })) },
    { name: 'web', healthy: true, availability: 1, daily: [] },
  ],
  incidents: [],
  maintenance: [],
  ...over,
});

describe('status page: plain words from names and numbers only', () => {
  it('truncates availability, never rounding up to a better figure', () => {
    assert.equal(percentText(0.99987), '99.987%');
    assert.equal(percentText(0.9999999), '99.999%');
    assert.equal(percentText(1), '100%');
    assert.equal(percentText(null), 'no data');
  });

  it('all operational: the summary, one bar per day, the title escaped', () => {
    const html = renderStatusPage(view());
    assert.match(html, /All systems operational/);
    assert.equal((html.match(/<rect /g) ?? []).length, 90);
    assert.match(html, /<title>Orders &#60;status&#62;<\/title>/);
    assert.match(html, /99\.987% available/);
    assert.match(html, /Days below 100%: [0-9-]+ 99\.500%\./);
  });

  it('an open incident: the systems, how bad, since when, whether someone is on it', () => {
    const i = { severity: 'critical', acknowledged: false, openedAt: NOW - 600_000, systems: ['orders-db', 'web'] };
    assert.equal(incidentSentence(i), 'orders-db and web are down or seriously disrupted since 7 Dec 2026, 11:50 UTC. The on-call engineer has been alerted.');
    assert.equal(incidentSentence({ ...i, severity: 'warning', acknowledged: true, systems: ['web'] }), 'web is degraded since 7 Dec 2026, 11:50 UTC. Engineers are working on it.');
    const html = renderStatusPage(view({ incidents: [i] }));
    assert.match(html, /Some systems are disrupted/);
    assert.match(html, /data-system="web">\n<div class="head"><h3>web<\/h3><span class="word w-bad">Outage/);
  });

  it('maintenance: scheduled or under way, drills as failover tests', () => {
    assert.equal(maintenanceSentence({ kind: 'planned', systems: ['web'], start: NOW + 3_600_000, end: NOW + 7_200_000 }, NOW), 'Planned maintenance on web is scheduled from 7 Dec 2026, 13:00 UTC until 7 Dec 2026, 14:00 UTC; brief interruptions are possible.');
    assert.equal(maintenanceSentence({ kind: 'drill', systems: ['orders-db'], start: NOW - 60_000, end: null }, NOW), 'A planned failover test on orders-db is under way since 7 Dec 2026, 11:59 UTC; brief interruptions are possible.');
    const html = renderStatusPage(view({ maintenance: [{ kind: 'drill', systems: ['orders-db'], start: NOW - 60_000, end: null }] }));
    assert.match(html, /<h3>orders-db<\/h3><span class="word w-warn">Maintenance/);
  });

  it('no script may run: the policy allows only the one inline stylesheet', () => {
    assert.match(STATUS_CSP, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    assert.doesNotMatch(renderStatusPage(view()), /<script/);
  });
});
