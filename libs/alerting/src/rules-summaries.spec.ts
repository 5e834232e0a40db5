import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeTarget } from '../../probes/src/target';
import type { TargetState } from '../../probes/src/target-state';
import type { MemberTopology, SystemTopology } from '../../topology/src/topology';
import { systemAlerts, targetAlerts, type SystemAlertContext } from './rules';

const PROMOTED = Date.UTC(2026, 2, 2, 3, 12, 7);
const LOST = PROMOTED - 5_000; // pg1's first failed probe
const NOW = LOST + 12_000;

const member = (m: Partial<MemberTopology>): MemberTopology => ({ status: 'up', lastSeenAt: NOW, intervalMs: 1000, ...m });
const topology = (t: Partial<SystemTopology>): SystemTopology => ({
  system: 'orders-db',
  members: {},
  primaries: [],
  conditions: { splitBrain: false, noPrimary: false, degraded: false },
  updatedAt: NOW,
  ...t,
});
const ctx = (t: Partial<SystemTopology>, extra: Partial<SystemAlertContext> = {}): SystemAlertContext => ({
  shape: { name: 'orders-db', kind: 'postgres', expect: { primaries: 1, minReplicas: 1 }, members: ['pg1', 'pg2', 'pg3'], hasEndpoint: false, layer: 'storage', labels: { team: 'db' } },
  topology: topology(t),
  now: NOW,
  ...extra,
});
const byName = (c: SystemAlertContext) => new Map(systemAlerts(c).map((a) => [`${a.labels.alertname}${a.labels.member ? `/${a.labels.member}` : ''}`, a]));

describe('built-in alerts: summaries written for a human', () => {
  it('a failover: the old primary unreachable for 12s, and who was promoted when', () => {
    const alerts = byName(
      ctx(
        {
          members: {
            pg1: member({ status: 'down', roleBeforeDown: 'primary', firstFailureAt: LOST, lastSeenAt: LOST - 1000 }),
            pg2: member({ role: 'primary' }),
            pg3: member({ role: 'replica' }),
          },
          primaries: ['pg2'],
        },
        { lastFailover: { at: PROMOTED, from: 'pg1', to: 'pg2' }, incidentId: 42 },
      ),
    );
    assert.deepEqual([...alerts.keys()].sort(), ['FailoverHappened', 'MemberDown/pg1']);
    const down = alerts.get('MemberDown/pg1')!;
    assert.equal(down.annotations.summary, 'orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07');
    assert.deepEqual(down.labels, { alertname: 'MemberDown', severity: 'critical', team: 'db', system: 'orders-db', layer: 'storage', member: 'pg1' });
    assert.equal(down.incidentId, 42);
    assert.equal(alerts.get('FailoverHappened')!.annotations.summary, 'orders-db: failover pg1 → pg2 at 03:12:07');
  });

  it('a replica down is a warning and does not claim to be a primary', () => {
    const a = byName(ctx({ members: { pg1: member({ role: 'primary' }), pg3: member({ status: 'down', roleBeforeDown: 'replica', firstFailureAt: NOW - 90_000 }) }, primaries: ['pg1'] })).get('MemberDown/pg3')!;
    assert.equal(a.labels.severity, 'warning');
    assert.equal(a.annotations.summary, 'orders-db: pg3 unreachable for 1m30s');
  });

  it('no primary left (no endpoint): which primary was lost and for how long', () => {
    const a = byName(ctx({ members: { pg1: member({ status: 'down', roleBeforeDown: 'primary', firstFailureAt: NOW - 45_000 }), pg2: member({ role: 'replica' }) }, conditions: { splitBrain: false, noPrimary: true, degraded: false } })).get('SystemDown')!;
    assert.equal(a.labels.severity, 'page');
    assert.equal(a.annotations.summary, 'orders-db: no primary; pg1 unreachable for 45s');
  });

  it('users cannot reach it: the endpoint’s reason and duration', () => {
    const c = ctx({ endpoint: { status: 'down', since: NOW - 30_000, firstFailureAt: NOW - 32_000, intervalMs: 1000, reason: 'connection refused' } });
    c.shape = { ...c.shape, hasEndpoint: true };
    const a = byName(c).get('SystemDown')!;
    assert.equal(a.annotations.summary, 'orders-db: unreachable for users for 32s (connection refused)');
    assert.equal(a.annotations.reason, 'connection refused');
  });

  it('split brain names every node acting as primary', () => {
    const a = byName(ctx({ members: { pg1: member({ role: 'primary' }), pg2: member({ role: 'primary' }) }, primaries: ['pg1', 'pg2'], conditions: { splitBrain: true, noPrimary: false, degraded: false } })).get('SplitBrain')!;
    assert.equal(a.labels.severity, 'page');
    assert.equal(a.annotations.summary, 'orders-db: SPLIT BRAIN — pg1, pg2 all act as primary');
  });

  it('replication broken or lagging, in seconds or bytes', () => {
    const alerts = byName(
      ctx({
        members: {
          pg1: member({ role: 'primary' }),
          pg2: member({ role: 'replica', lagging: true, lagSeconds: 7.26 }),
          pg3: member({ role: 'replica', broken: 'WAL receiver not streaming' }),
        },
        primaries: ['pg1'],
      }),
    );
    assert.equal(alerts.get('ReplicationLagging/pg2')!.annotations.summary, 'orders-db: pg2 is 7.3s behind');
    assert.equal(alerts.get('ReplicationBroken/pg3')!.annotations.summary, 'orders-db: replication to pg3 broken: WAL receiver not streaming');
    const bytes = byName(ctx({ members: { pg2: member({ role: 'replica', lagging: true, lagBytes: 1048576 }) } })).get('ReplicationLagging/pg2')!;
    assert.equal(bytes.annotations.summary, 'orders-db: pg2 is 1048576 bytes behind');
  });

  it('topology degraded says what was expected; a backend out of the pool says its state', () => {
    assert.equal(byName(ctx({ conditions: { splitBrain: false, noPrimary: false, degraded: true } })).get('TopologyDegraded')!.annotations.summary, 'orders-db: fewer healthy replicas than 1');
    const lb = systemAlerts(ctx({ members: { pg1: member({ pool: { 'pg/pg1': 'UP', 'pg/pg2': 'DOWN', 'pg/pg3': 'MAINT' } }) } }));
    assert.deepEqual(
      lb.map((a) => [a.labels.backend, a.annotations.summary]),
      [
        ['pg/pg2', 'orders-db: pg/pg2 out of the pool (DOWN)'],
        ['pg/pg3', 'orders-db: pg/pg3 out of the pool (MAINT)'],
      ],
    );
    assert.equal(systemAlerts(ctx({ members: { pg1: member({ pool: { 'pg/pg1': 'UP 1/3' } }) } })).length, 0, 'UP 1/3 is still serving');
  });

  it('failover alert is held for its hold time, then disappears', () => {
    const c = (now: number) => ({ ...ctx({}, { lastFailover: { at: PROMOTED, from: 'pg1', to: 'pg2' } }), now });
    assert.ok(systemAlerts(c(PROMOTED + 9 * 60_000)).some((a) => a.labels.alertname === 'FailoverHappened'));
    assert.ok(!systemAlerts(c(PROMOTED + 10 * 60_000)).some((a) => a.labels.alertname === 'FailoverHappened'));
  });

  it('an external problem (Alertmanager, keepalived) carries its message and source', () => {
    const a = byName(ctx({ external: { 'alertmanager:PostgresDown': 'PostgresDown firing: pg1 down' } })).get('ExternalProblem')!;
    assert.equal(a.annotations.summary, 'orders-db: PostgresDown firing: pg1 down');
    assert.equal(a.labels.source, 'alertmanager');
  });

  it('an Alertmanager alert keeps its own alertname, severity and labels; the system and layer stay the system\'s', () => {
    const key = 'alertmanager:c0ffee';
    const alerts = systemAlerts(
      ctx({
        external: { [key]: 'OrdersErrorRate: 5xx ratio 12%' },
        externalLabels: { [key]: { alertname: 'OrdersErrorRate', severity: 'critical', instance: 'orders-1:8080', system: 'orders-db', layer: 'bogus' } },
      }),
    );
    assert.deepEqual(alerts.map((a) => a.labels.alertname), ['OrdersErrorRate']);
    assert.deepEqual(alerts[0].labels, { alertname: 'OrdersErrorRate', severity: 'critical', team: 'db', system: 'orders-db', layer: 'storage', instance: 'orders-1:8080', source: 'alertmanager' });
    assert.equal(alerts[0].annotations.summary, 'orders-db: OrdersErrorRate: 5xx ratio 12%');
  });

  it('a healthy system has no alerts', () => {
    assert.deepEqual(systemAlerts(ctx({ members: { pg1: member({ role: 'primary' }), pg2: member({ role: 'replica' }) }, primaries: ['pg1'] })), []);
  });
});

describe('built-in alerts: standalone targets', () => {
  const target: ProbeTarget = { key: 'homepage', name: 'homepage', intervalMs: 5000, timeoutMs: 3000, labels: { team: 'web' }, probe: { kind: 'http', url: 'http://127.0.0.1:8080/' } };
  const state = (s: Partial<TargetState>): TargetState => ({ status: 'up', since: NOW - 60_000, consecutiveFailures: 0, consecutiveSuccesses: 1, ...s });
  const result = (r: Record<string, unknown>) => ({ targetKey: 'homepage', scheduledAt: NOW, startedAt: NOW, durationMs: 5, ...r }) as TargetState['lastResult'];

  it('TargetDown says for how long and why, from the first failed probe', () => {
    const [a] = targetAlerts(target, state({ status: 'down', since: NOW - 10_000, firstFailureAt: NOW - 20_000, lastResult: result({ up: false, reason: 'status 503' }) }), NOW);
    assert.equal(a.annotations.summary, 'homepage down for 20s (status 503)');
    assert.deepEqual(a.labels, { alertname: 'TargetDown', severity: 'critical', team: 'web', target: 'homepage', kind: 'http' });
  });

  it('certificate expiring is a warning, expired is critical', () => {
    const [w] = targetAlerts(target, state({ lastResult: result({ up: true, warning: 'TLS certificate expires in 9 days' }) }), NOW);
    assert.equal(w.labels.alertname, 'CertificateExpiring');
    assert.equal(w.labels.severity, 'warning');
    assert.equal(w.annotations.summary, 'homepage: TLS certificate expires in 9 days');
    const [c] = targetAlerts(target, state({ lastResult: result({ up: true, warning: 'TLS certificate expired 2 days ago' }) }), NOW);
    assert.equal(c.labels.severity, 'critical');
  });

  it('a system member’s target does not raise TargetDown (its system’s alerts do)', () => {
    assert.deepEqual(targetAlerts({ ...target, key: 'orders-db/pg1', system: 'orders-db', member: 'pg1' }, state({ status: 'down' }), NOW), []);
  });
});
