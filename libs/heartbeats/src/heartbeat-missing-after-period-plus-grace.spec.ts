import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueAt, heartbeatAlerts, type HeartbeatDef } from './heartbeat';

const H = 3_600_000;
const def: HeartbeatDef = { name: 'nightly-backup', periodMs: 24 * H, graceMs: H / 2, labels: { team: 'db' } };

describe('heartbeats', () => {
  it('is quiet until period + grace after the last push, then HeartbeatMissing fires; a push resolves it', () => {
    const push = Date.parse('2026-12-01T02:00:00Z');
    const s = { lastPushAt: push, since: 0 };
    assert.equal(dueAt(def, s), push + 24.5 * H);
    assert.deepEqual(heartbeatAlerts(def, s, push + 24.5 * H - 1), []);
    const [a] = heartbeatAlerts(def, s, push + 24.5 * H);
    assert.deepEqual(a.labels, { team: 'db', alertname: 'HeartbeatMissing', heartbeat: 'nightly-backup', severity: 'critical' });
    assert.equal(a.annotations.summary, 'nightly-backup: no push for 1d30m (expected every 1d, grace 30m)');
    assert.deepEqual(heartbeatAlerts(def, { lastPushAt: push + 25 * H, since: 0 }, push + 25 * H + 1), []);
  });

  it('one that never pushed counts from when Nines began watching it', () => {
    const since = Date.parse('2026-12-01T00:00:00Z');
    assert.deepEqual(heartbeatAlerts(def, { since }, since + 24 * H), []);
    assert.match(heartbeatAlerts(def, { since }, since + 25 * H)[0].annotations.summary, /no push since Nines began watching it/);
  });

  it('a severity label of the heartbeat is kept', () => {
    assert.equal(heartbeatAlerts({ ...def, labels: { severity: 'warning' } }, { since: 0 }, 25 * H)[0].labels.severity, 'warning');
  });
});
