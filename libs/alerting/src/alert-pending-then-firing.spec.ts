import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, fingerprint, type AlertSpec, type AlertStatus } from './alert';

const T0 = Date.UTC(2026, 2, 2, 3, 12, 0);
const spec = (forMs: number, extra: Record<string, string> = {}): AlertSpec => ({
  labels: { alertname: 'MemberDown', severity: 'critical', system: 'orders-db', member: 'pg1', ...extra },
  annotations: { summary: 'orders-db: primary pg1 unreachable' },
  forMs,
});

/** Runs evaluations in order and returns the status and transitions after each. */
function run(steps: { at: number; active: AlertSpec | undefined }[]) {
  let s: AlertStatus | undefined;
  return steps.map(({ at, active }) => {
    const r = evaluate(s, active, at);
    s = r.next;
    return { state: s?.state, transitions: r.transitions, status: s };
  });
}

describe('alert state machine: inactive → pending → firing → resolved', () => {
  it('stays pending until the condition has held for `for`, then fires once', () => {
    const steps = run([
      { at: T0, active: spec(30_000) },
      { at: T0 + 10_000, active: spec(30_000) },
      { at: T0 + 29_999, active: spec(30_000) },
      { at: T0 + 30_000, active: spec(30_000) },
      { at: T0 + 40_000, active: spec(30_000) },
    ]);
    assert.deepEqual(steps.map((s) => s.state), ['pending', 'pending', 'pending', 'firing', 'firing']);
    assert.deepEqual(steps.map((s) => s.transitions), [['pending'], [], [], ['firing'], []]);
    assert.equal(steps[3].status!.activeAt, T0, 'active since the first true evaluation');
    assert.equal(steps[3].status!.firedAt, T0 + 30_000);
  });

  it('with for: 0 goes pending and firing in the same evaluation', () => {
    const [s] = run([{ at: T0, active: spec(0) }]);
    assert.equal(s.state, 'firing');
    assert.deepEqual(s.transitions, ['pending', 'firing']);
  });

  it('a condition that clears while pending goes back to inactive without a resolved transition (nothing was announced)', () => {
    const steps = run([
      { at: T0, active: spec(30_000) },
      { at: T0 + 10_000, active: undefined },
    ]);
    assert.equal(steps[1].state, 'inactive');
    assert.deepEqual(steps[1].transitions, []);
    assert.equal(steps[1].status!.activeAt, undefined);
  });

  it('a firing alert whose condition clears resolves, and fires again through pending', () => {
    const steps = run([
      { at: T0, active: spec(5_000) },
      { at: T0 + 5_000, active: spec(5_000) },
      { at: T0 + 60_000, active: undefined },
      { at: T0 + 70_000, active: undefined },
      { at: T0 + 80_000, active: spec(5_000) },
      { at: T0 + 85_000, active: spec(5_000) },
    ]);
    assert.deepEqual(steps.map((s) => s.state), ['pending', 'firing', 'resolved', 'resolved', 'pending', 'firing']);
    assert.deepEqual(steps[2].transitions, ['resolved']);
    assert.equal(steps[2].status!.resolvedAt, T0 + 60_000);
    assert.deepEqual(steps[3].transitions, [], 'a resolved alert stays quiet');
    assert.equal(steps[4].status!.resolvedAt, undefined, 'pending again: no longer resolved');
    assert.equal(steps[5].status!.firedAt, T0 + 85_000);
  });

  it('keeps the newest summary and incident while firing', () => {
    const first = evaluate(undefined, spec(0), T0).next!;
    const later = evaluate(first, { ...spec(0), annotations: { summary: 'orders-db: primary pg1 unreachable for 12s' }, incidentId: 7 }, T0 + 12_000);
    assert.deepEqual(later.transitions, []);
    assert.equal(later.next!.annotations.summary, 'orders-db: primary pg1 unreachable for 12s');
    assert.equal(later.next!.incidentId, 7);
    const noIncidentNow = evaluate(later.next, spec(0), T0 + 13_000);
    assert.equal(noIncidentNow.next!.incidentId, 7, 'the incident link is not lost when a later evaluation does not name it');
  });
});

describe('alert identity: the fingerprint of the label set', () => {
  it('does not depend on label order', () => {
    assert.equal(fingerprint({ a: '1', b: '2' }), fingerprint({ b: '2', a: '1' }));
  });

  it('differs when any label value differs, and cannot be forged by moving text between names and values', () => {
    const fps = new Set([
      fingerprint(spec(0).labels),
      fingerprint(spec(0, { member: 'pg2' }).labels),
      fingerprint({ ...spec(0).labels, extra: '' }),
      fingerprint({ ab: 'c' }),
      fingerprint({ a: 'bc' }),
      fingerprint({ a: 'b', c: '' }),
    ]);
    assert.equal(fps.size, 6);
  });

  it('is what a new alert is stored under', () => {
    const s = evaluate(undefined, spec(0), T0).next!;
    assert.equal(s.fingerprint, fingerprint(spec(0).labels));
    assert.match(s.fingerprint, /^[0-9a-f]{16}$/);
  });
});
