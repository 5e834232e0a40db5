import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, type AlertSpec, type AlertStatus, type FlapPolicy } from './alert';

const T0 = Date.UTC(2026, 2, 2, 3, 0, 0);
const FLAP: FlapPolicy = { windowMs: 10 * 60_000, threshold: 4 };
const down: AlertSpec = { labels: { alertname: 'TargetDown', severity: 'critical', target: 'homepage' }, annotations: { summary: 'homepage down' }, forMs: 0 };

function run(steps: [number, boolean][]) {
  let s: AlertStatus | undefined;
  return steps.map(([at, active]) => {
    const r = evaluate(s, active ? down : undefined, at, FLAP);
    s = r.next;
    return { at, state: s?.state, transitions: r.transitions, flapping: s?.flapping, flips: s?.flips.length };
  });
}

describe('flap detection: a flapping alert is held in one state instead of a storm', () => {
  it('counts firing/resolved flips and reports flapping once, at the threshold', () => {
    // Up and down every minute.
    const steps = run(Array.from({ length: 8 }, (_, i) => [T0 + i * 60_000, i % 2 === 0] as [number, boolean]));
    assert.deepEqual(steps.map((s) => s.flips), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(steps.map((s) => s.flapping), [false, false, false, true, true, true, true, true]);
    assert.deepEqual(steps.map((s) => s.transitions.filter((t) => t === 'flapping' || t === 'stable')), [[], [], [], ['flapping'], [], [], [], []]);
  });

  it('flips older than the window do not count: slow flips never flap', () => {
    const steps = run(Array.from({ length: 8 }, (_, i) => [T0 + i * 4 * 60_000, i % 2 === 0] as [number, boolean]));
    assert.ok(steps.every((s) => !s.flapping), JSON.stringify(steps.map((s) => s.flips)));
    assert.ok(steps.every((s) => (s.flips ?? 0) <= 3));
  });

  it('a flapping alert that keeps firing is reported stable once its flips leave the window', () => {
    let s: AlertStatus | undefined;
    for (const [at, active] of [[T0, true], [T0 + 60_000, false], [T0 + 120_000, true], [T0 + 180_000, false], [T0 + 240_000, true]] as [number, boolean][])
      s = evaluate(s, active ? down : undefined, at, FLAP).next;
    assert.equal(s!.flapping, true);
    assert.deepEqual(evaluate(s, down, T0 + 9 * 60_000, FLAP).transitions, [], 'held while flips are in the window');
    const r = evaluate(s, down, T0 + 240_000 + FLAP.windowMs + 1, FLAP);
    assert.equal(r.next!.state, 'firing');
    assert.deepEqual(r.transitions, ['stable']);
    assert.equal(r.next!.flapping, false);
  });

  it('a flip after a quiet window starts counting afresh', () => {
    let s: AlertStatus | undefined;
    for (const [at, active] of [[T0, true], [T0 + 60_000, false], [T0 + 120_000, true], [T0 + 180_000, false], [T0 + 240_000, true]] as [number, boolean][])
      s = evaluate(s, active ? down : undefined, at, FLAP).next;
    const r = evaluate(s, undefined, T0 + 240_000 + 11 * 60_000, FLAP);
    assert.equal(r.next!.state, 'resolved');
    assert.deepEqual(r.transitions, ['resolved', 'stable']);
    assert.equal(r.next!.flips.length, 1);
  });

  it('a flapping alert that stops resolved is reported stable (and so its resolution sent) once the window has passed', () => {
    let s: AlertStatus | undefined;
    for (const [at, active] of [[T0, true], [T0 + 60_000, false], [T0 + 120_000, true], [T0 + 180_000, false]] as [number, boolean][])
      s = evaluate(s, active ? down : undefined, at, FLAP).next;
    assert.equal(s!.state, 'resolved');
    assert.equal(s!.flapping, true, 'four flips in four minutes: flapping');
    // Still inside the window: held, nothing to say.
    const inside = evaluate(s, undefined, T0 + 5 * 60_000, FLAP);
    assert.deepEqual(inside.transitions, []);
    assert.equal(inside.next!.flapping, true);
    // Quiet for a whole window: the alert is stable (and resolved) again. Without this, the
    // receiver would only hear about the resolution at the next repeat, hours later.
    const after = evaluate(inside.next, undefined, T0 + 180_000 + FLAP.windowMs + 1, FLAP);
    assert.deepEqual(after.transitions, ['stable']);
    assert.equal(after.next!.flapping, false);
    assert.equal(after.next!.state, 'resolved');
    // And nothing more after that.
    assert.deepEqual(evaluate(after.next, undefined, T0 + 60 * 60_000, FLAP).transitions, []);
  });
});
