import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint } from './alert';
import { inhibitedBy, type FiringAlert, type InhibitRule } from './inhibit';
import { compile } from './matchers';

const alert = (labels: Record<string, string>, incidentId?: number): FiringAlert => ({ fingerprint: fingerprint(labels), labels, incidentId });
const rule = (source: string[], target: string[], equal: string[]): InhibitRule => ({ source: compile(source), target: compile(target), equal });

// The config example: a system that is down silences its own warnings.
const systemDown = rule(['alertname="SystemDown"'], ['severity=~"warning|info"'], ['system']);
const ordersDown = alert({ alertname: 'SystemDown', severity: 'page', system: 'orders-db' });
const ordersLag = alert({ alertname: 'ReplicationLagging', severity: 'warning', system: 'orders-db', member: 'pg2' });
const ledgerLag = alert({ alertname: 'ReplicationLagging', severity: 'warning', system: 'ledger-db', member: 'l2' });

describe('inhibition: a firing source mutes targets whose equal labels match', () => {
  it('mutes a target with the same values of the equal labels and says by what', () => {
    assert.equal(inhibitedBy(ordersLag, [ordersDown, ordersLag], [systemDown]), 'inhibited by SystemDown');
  });

  it('does not mute a target of another system', () => {
    assert.equal(inhibitedBy(ledgerLag, [ordersDown, ledgerLag], [systemDown]), undefined);
  });

  it('does not mute anything when the source is not firing', () => {
    assert.equal(inhibitedBy(ordersLag, [ordersLag], [systemDown]), undefined);
  });

  it('does not mute alerts the target matchers do not select', () => {
    const memberDown = alert({ alertname: 'MemberDown', severity: 'critical', system: 'orders-db', member: 'pg1' });
    assert.equal(inhibitedBy(memberDown, [ordersDown, memberDown], [systemDown]), undefined);
  });

  it('a label missing on both sides counts as equal (empty), missing on one side does not', () => {
    const r = rule(['alertname="SystemDown"'], ['severity="warning"'], ['system', 'cluster']);
    assert.equal(inhibitedBy(ordersLag, [ordersDown], [r]), 'inhibited by SystemDown', 'cluster missing on both');
    const withCluster = alert({ ...ordersDown.labels, cluster: 'eu' });
    assert.equal(inhibitedBy(ordersLag, [withCluster], [r]), undefined, 'cluster=eu vs missing');
  });

  it('equal: [] means any firing source mutes every target', () => {
    const r = rule(['alertname="SystemDown"'], ['severity="warning"'], []);
    assert.equal(inhibitedBy(ledgerLag, [ordersDown], [r]), 'inhibited by SystemDown');
  });

  it('an alert never inhibits itself', () => {
    const r = rule(['severity="warning"'], ['severity="warning"'], ['system']);
    assert.equal(inhibitedBy(ordersLag, [ordersLag], [r]), undefined);
  });

  it('alerts matching both sides of a rule do not inhibit each other (Alertmanager excludes two-sided matches)', () => {
    // Members of one system: each MemberDown would otherwise mute the other and nobody gets paged.
    const r = rule(['alertname=~"SystemDown|MemberDown"'], ['alertname=~"MemberDown|ReplicationLagging"'], ['system']);
    const pg1 = alert({ alertname: 'MemberDown', severity: 'critical', system: 'orders-db', member: 'pg1' });
    const pg2 = alert({ alertname: 'MemberDown', severity: 'critical', system: 'orders-db', member: 'pg2' });
    assert.equal(inhibitedBy(pg1, [pg1, pg2], [r]), undefined);
    assert.equal(inhibitedBy(pg2, [pg1, pg2], [r]), undefined);
    // A source that matches only the source side still inhibits a two-sided target.
    assert.equal(inhibitedBy(pg1, [pg1, pg2, ordersDown], [r]), 'inhibited by SystemDown');
    // And a two-sided source still inhibits a target that only matches the target side.
    assert.equal(inhibitedBy(ordersLag, [pg1], [r]), 'inhibited by MemberDown');
  });
});
