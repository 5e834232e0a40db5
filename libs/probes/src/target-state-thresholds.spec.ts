import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeResult } from './observation';
import { applyResult, initialState, TargetState, Transition } from './target-state';

const T0 = Date.UTC(2025, 0, 1);
const result = (up: boolean, scheduledAt: number): ProbeResult => ({
  up,
  reason: up ? undefined : 'connection refused',
  targetKey: 'orders-db/pg1',
  scheduledAt,
  startedAt: scheduledAt,
  durationMs: 3,
});

/** Feeds a pattern like "+--+" (one result per 10s tick) and collects the transitions. */
function feed(pattern: string, thresholds: { failure: number; recovery: number }, start: TargetState = initialState()) {
  let state = start;
  const transitions: Transition[] = [];
  [...pattern].forEach((c, i) => {
    const r = applyResult(state, result(c === '+', T0 + i * 10_000), thresholds);
    state = r.state;
    if (r.transition) transitions.push(r.transition);
  });
  return { state, transitions };
}

describe('applyResult with failure and recovery thresholds', () => {
  it('leaves unknown on the first result, whichever it is', () => {
    assert.deepEqual(feed('+', { failure: 3, recovery: 3 }).transitions, [{ from: 'unknown', to: 'up', at: T0 }]);
    assert.deepEqual(feed('-', { failure: 3, recovery: 3 }).transitions, [{ from: 'unknown', to: 'down', at: T0 }]);
  });

  it('goes down only at the failure threshold, timed at the failure that crossed it', () => {
    const { state, transitions } = feed('+---', { failure: 3, recovery: 1 });
    assert.deepEqual(transitions, [
      { from: 'unknown', to: 'up', at: T0 },
      { from: 'up', to: 'down', at: T0 + 30_000 },
    ]);
    assert.equal(state.status, 'down');
    assert.equal(state.since, T0 + 30_000);
    assert.equal(state.consecutiveFailures, 3);
  });

  it('keeps firstFailureAt at the first failure of the streak (what RTO counts from)', () => {
    const { state } = feed('+---', { failure: 3, recovery: 1 });
    assert.equal(state.firstFailureAt, T0 + 10_000);
  });

  it('does not go down when a success breaks the streak below the threshold', () => {
    const { state, transitions } = feed('+--+--', { failure: 3, recovery: 1 });
    assert.equal(transitions.length, 1);
    assert.equal(state.status, 'up');
    assert.equal(state.consecutiveFailures, 2);
    assert.equal(state.firstFailureAt, T0 + 40_000, 'a new streak starts at its own first failure');
  });

  it('clears firstFailureAt once a success interrupts the streak while up', () => {
    const { state } = feed('+-+', { failure: 3, recovery: 1 });
    assert.equal(state.firstFailureAt, undefined);
    assert.equal(state.consecutiveSuccesses, 1);
  });

  it('needs the recovery threshold of consecutive successes to come back up', () => {
    const { state, transitions } = feed('+-++', { failure: 1, recovery: 3 });
    assert.equal(state.status, 'down');
    assert.equal(transitions.length, 2);
    const after = feed('+-+++', { failure: 1, recovery: 3 });
    assert.equal(after.state.status, 'up');
    assert.deepEqual(after.transitions.at(-1), { from: 'down', to: 'up', at: T0 + 40_000 });
    assert.equal(after.state.since, T0 + 40_000);
    assert.equal(after.state.firstFailureAt, undefined);
  });

  it('keeps the outage start through a flapping success that does not reach recovery', () => {
    // Down at the first failure (T0+10s); one success (T0+20s) is not enough to recover
    // (threshold 2); the next failure must not restart the outage clock.
    const { state, transitions } = feed('+-+-', { failure: 1, recovery: 2 });
    assert.equal(state.status, 'down');
    assert.equal(transitions.length, 2);
    assert.equal(state.since, T0 + 10_000);
    assert.equal(state.firstFailureAt, T0 + 10_000);
  });

  it('records the last result and does not mutate the previous state', () => {
    const prev = feed('+', { failure: 1, recovery: 1 }).state;
    const frozen = structuredClone(prev);
    const r = result(false, T0 + 10_000);
    const { state } = applyResult(prev, r, { failure: 1, recovery: 1 });
    assert.equal(state.lastResult, r);
    assert.deepEqual(prev, frozen);
  });
});
