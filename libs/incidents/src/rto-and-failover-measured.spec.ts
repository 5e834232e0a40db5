import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measure } from './measure';
import type { TimelineEntry } from './timeline';

const T = Date.UTC(2026, 2, 1, 10, 0, 0); // pg1's first failed probe
const entry = (kind: string, offsetMs: number, member?: string, details: Record<string, unknown> = {}, system = 'orders-db'): TimelineEntry =>
  ({ at: T + offsetMs, kind: kind as TimelineEntry['kind'], system, member, message: kind, details });
// pg1 is probed every second, pg2 every 500 ms, the endpoint every 2 s.
const intervalMs = (system: string, member?: string) => (system !== 'orders-db' ? 3000 : member === 'pg1' ? 1000 : member === 'pg2' ? 500 : 2000);

/** pg1 fails at T, is declared down at T+2s; pg2 is seen serving as primary at T+6.5s; resolved at T+12s. */
const failover: TimelineEntry[] = [
  entry('first_failure_observed', 0, 'pg1'),
  entry('detected', 2000, 'pg1'),
  entry('member_down', 2000, 'pg1', { role: 'primary', first_failure_at: T, last_position: '0/3000100' }),
  entry('failover_started', 0, 'pg1'),
  entry('no_primary', 2000),
  entry('acknowledged', 5000),
  entry('promoted', 6500, 'pg2', { last_replica_view: { at: T + 1500, lagSeconds: 0.4, lagBytes: 160, position: '0/3000060' } }),
  entry('leader_changed', 6500, 'pg2', { from: 'pg1', to: 'pg2' }),
  entry('new_primary_elected', 6500, 'pg2', { from: 'pg1', to: 'pg2' }),
  entry('primary_restored', 6500),
  entry('service_restored', 6500),
  entry('old_primary_rejoined', 9000, 'pg1'),
  entry('resolved', 12_000),
];
const inc = { openedAt: T + 2000, acknowledgedAt: T + 5000, resolvedAt: T + 12_000, rootSystem: 'orders-db', intervalMs };

describe('measurements of a PostgreSQL failover without an endpoint', () => {
  const m = measure([...failover].reverse(), inc); // the order given does not matter

  it('time to detect: first failure → detected, ± one interval of the failed member', () => {
    assert.deepEqual(m.time_to_detect, { value_ms: 2000, measured: 'first failed observation → failure threshold reached', uncertainty_ms: 1000 });
  });

  it("RTO: the primary's first failed probe → a primary serving again", () => {
    assert.deepEqual(m.rto, { value_ms: 6500, measured: 'first failed probe of the primary → a primary serving again', uncertainty_ms: 1000 });
  });

  it("failover duration: the old primary's first failed probe → the new primary seen, ± the new primary's interval", () => {
    assert.deepEqual(m.failover_duration, { value_ms: 6500, measured: 'first failed probe of the old primary → first observation of the new primary serving', uncertainty_ms: 500 });
  });

  it('time to acknowledge and to resolve', () => {
    assert.deepEqual(m.time_to_acknowledge, { value_ms: 3000, measured: 'opened → acknowledged' });
    assert.deepEqual(m.time_to_resolve, { value_ms: 12_000, measured: 'first failed observation → resolved (all systems healthy)', uncertainty_ms: 1000 });
  });
});

describe('measurements with an endpoint', () => {
  const withEndpoint = [
    ...failover.filter((e) => e.kind !== 'service_restored'),
    entry('service_down', 1000, undefined, { first_failure_at: T + 500 }),
    entry('service_restored', 5000),
  ];

  it("RTO is the endpoint's outage: its first failed probe → its first successful one, ± the endpoint's interval", () => {
    const m = measure(withEndpoint, inc);
    assert.deepEqual(m.rto, { value_ms: 4500, measured: 'first failed probe of the user-facing endpoint → first successful one', uncertainty_ms: 2000 });
    assert.equal(m.failover_duration.value_ms, 6500);
  });

  it('an endpoint that stayed up: RTO runs from the primary lost to a primary serving again', () => {
    // With an endpoint, primary_restored is not turned into a service_restored milestone.
    const m = measure(failover.filter((e) => e.kind !== 'service_restored'), inc);
    assert.deepEqual(m.rto, { value_ms: 6500, measured: 'first failed probe of the primary → a primary serving again', uncertainty_ms: 1000 });
  });

  it("a dependant's endpoint counts when the root system has none", () => {
    const dependant = [
      ...failover.filter((e) => e.kind !== 'service_restored'),
      entry('service_down', 3000, undefined, { first_failure_at: T + 2500 }, 'web'),
      entry('service_restored', 6500),
      entry('service_restored', 7000, undefined, {}, 'web'),
    ];
    const m = measure(dependant, inc);
    assert.deepEqual(m.rto, { value_ms: 4500, measured: 'first failed probe of the user-facing endpoint → first successful one', uncertainty_ms: 3000 });
  });
});

describe('measurements of incidents still going on, or without a failover', () => {
  it('not restored, not acknowledged, not resolved', () => {
    const m = measure(failover.slice(0, 5), { openedAt: T + 2000, rootSystem: 'orders-db', intervalMs });
    assert.deepEqual(m.rto, { measured: 'service not restored yet' });
    assert.deepEqual(m.failover_duration, { measured: 'no failover' });
    assert.deepEqual(m.time_to_acknowledge, { measured: 'not acknowledged' });
    assert.deepEqual(m.time_to_resolve, { measured: 'not resolved' });
    assert.equal(m.time_to_detect.value_ms, 2000);
  });

  it('only replication lag: no outage, no failover, no data loss', () => {
    const m = measure(
      [entry('first_failure_observed', 0, 'pg2'), entry('detected', 0, 'pg2'), entry('replication_lagging', 0, 'pg2'), entry('resolved', 30_000)],
      { openedAt: T, resolvedAt: T + 30_000, rootSystem: 'orders-db', intervalMs },
    );
    assert.deepEqual(m.time_to_detect, { value_ms: 0, measured: 'first failed observation → failure threshold reached', uncertainty_ms: 500 });
    assert.deepEqual(m.rto, { measured: 'no user-facing outage observed' });
    assert.deepEqual(m.failover_duration, { measured: 'no failover' });
    assert.deepEqual(m.rpo, { measured: 'no promotion: no data loss from failover' });
    assert.equal(m.time_to_resolve.value_ms, 30_000);
  });

  it('a primary lost without member_down (no_primary first) counts from failover_started', () => {
    const m = measure(
      [entry('first_failure_observed', 0), entry('detected', 0), entry('no_primary', 0), entry('failover_started', 0), entry('new_primary_elected', 4000, 'pg2', { to: 'pg2' })],
      { openedAt: T, rootSystem: 'orders-db', intervalMs },
    );
    assert.deepEqual(m.failover_duration, { value_ms: 4000, measured: 'first failed probe of the old primary → first observation of the new primary serving', uncertainty_ms: 500 });
  });

  it('a new primary without a lost one is a switchover, not measured as a failover', () => {
    const m = measure([entry('first_failure_observed', 0), entry('detected', 0), entry('new_primary_elected', 0, 'pg2', { to: 'pg2' })], { openedAt: T, rootSystem: 'orders-db', intervalMs });
    assert.deepEqual(m.failover_duration, { measured: 'new primary observed without a lost primary (switchover)' });
  });
});
