import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alert, firingPayload, resolvedPayload } from './notify-fixtures';
import { ntfyMessage } from './ntfy.notifier';

describe('ntfy JSON publish', () => {
  it('a page: topic, title, message, priority 5, tags, click to the incident and a view action to acknowledge', () => {
    const m = ntfyMessage(firingPayload(), 'nines') as any;
    assert.equal(m.topic, 'nines');
    assert.equal(m.title, '[FIRING:1] orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07');
    assert.equal(m.message, 'SystemDown: orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07');
    assert.equal(m.priority, 5);
    assert.deepEqual(m.tags, ['rotating_light', 'page']);
    assert.equal(m.click, 'https://nines.example.com/incidents/42');
    assert.deepEqual(m.actions, [{ action: 'view', label: 'Acknowledge', url: firingPayload().ackUrl, clear: true }]);
  });

  it('priorities follow severity (critical 4, warning 3); a resolution is quiet (2) with no action', () => {
    const prio = (s: string) => (ntfyMessage(firingPayload({ alerts: [alert({ labels: { alertname: 'X', severity: s } })] }), 't') as any).priority;
    assert.deepEqual([prio('critical'), prio('warning')], [4, 3]);
    const r = ntfyMessage(resolvedPayload(), 't') as any;
    assert.equal(r.priority, 2);
    assert.deepEqual(r.tags, ['white_check_mark', 'resolved']);
    assert.equal(r.actions, undefined);
  });
});
