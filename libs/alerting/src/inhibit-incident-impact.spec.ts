import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint } from './alert';
import { inhibitedBy, type FiringAlert } from './inhibit';

const alert = (labels: Record<string, string>, incidentId?: number): FiringAlert => ({ fingerprint: fingerprint(labels), labels, incidentId });
// Incident 42: orders-db lost its primary; web (depends_on orders-db) went down with it.
const roots = new Map<number, string>([[42, 'orders-db']]);
const rootOf = (id: number) => roots.get(id);

describe('inhibition: alerts covered by an incident’s root cause are impact, not pages', () => {
  it('an alert of another system in the incident is inhibited as impact of the root cause', () => {
    const webDown = alert({ alertname: 'SystemDown', severity: 'page', system: 'web' }, 42);
    assert.equal(inhibitedBy(webDown, [], [], rootOf), 'impact of incident 42 (root cause orders-db)');
  });

  it('the root cause system’s own alerts page', () => {
    const ordersDown = alert({ alertname: 'SystemDown', severity: 'page', system: 'orders-db' }, 42);
    assert.equal(inhibitedBy(ordersDown, [], [], rootOf), undefined);
  });

  it('alerts without an incident, or of an unknown incident, are not impact', () => {
    assert.equal(inhibitedBy(alert({ alertname: 'SystemDown', system: 'web' }), [], [], rootOf), undefined);
    assert.equal(inhibitedBy(alert({ alertname: 'SystemDown', system: 'web' }, 7), [], [], rootOf), undefined);
  });

  it('a standalone target alert (no system label) in an incident is not impact', () => {
    assert.equal(inhibitedBy(alert({ alertname: 'TargetDown', target: 'homepage' }, 42), [], [], rootOf), undefined);
  });
});
