import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/src/clock';
import { ProbeEngine } from './engine';
import { computeOffsets } from './schedule';
import type { ProbeTarget } from './target';
import { FakeTimers } from './testing/fake-timers';

const T0 = Date.UTC(2025, 0, 1); // a multiple of every interval below

const target = (key: string, intervalMs: number): ProbeTarget => ({
  key,
  name: key,
  intervalMs,
  timeoutMs: Math.min(3000, intervalMs),
  labels: {},
  probe: { kind: 'tcp', address: '127.0.0.1:1' },
});

describe('ProbeEngine ticks at the computed offsets', () => {
  it('runs every target at offset + k·interval, on time, and nothing else', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const targets = ['pg1', 'pg2', 'redis1', 'homepage'].map((k) => target(k, 8_000));
    const offsets = computeOffsets(targets);
    const runs: string[] = [];
    const lags: number[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      run: async (t) => {
        runs.push(`${t.key}@${clock.now() - T0}`);
        return { up: true };
      },
      hooks: { onStart: (_t, lag) => lags.push(lag) },
    });
    engine.setTargets(targets);
    engine.start();
    await timers.advanceTo(T0 + 3 * 8_000 - 1);
    await engine.stop();

    const expected = targets.flatMap((t) => [0, 1, 2].map((k) => `${t.key}@${offsets.get(t.key)! + k * 8_000}`));
    assert.deepEqual([...runs].sort(), expected.sort());
    assert.ok(lags.every((l) => l === 0), `start lags ${lags.join(',')}`);
  });

  it('stamps each result with its tick as scheduledAt', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const targets = [target('a', 5_000), target('b', 5_000)];
    const offsets = computeOffsets(targets);
    const seen: string[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      run: async () => ({ up: true }),
      hooks: { onResult: (r) => seen.push(`${r.targetKey}@${r.scheduledAt - T0}`) },
    });
    engine.setTargets(targets);
    engine.start();
    await timers.advanceTo(T0 + 9_999);
    await engine.stop();
    assert.deepEqual(seen.sort(), ['a', 'b'].flatMap((k) => [0, 5_000].map((d) => `${k}@${offsets.get(k)! + d}`)).sort());
  });

  it('starts a target loaded mid-interval at its next tick, not immediately', async () => {
    const clock = new ManualClock(T0 + 1_234);
    const timers = new FakeTimers(clock);
    const runs: number[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      run: async () => {
        runs.push(clock.now() - T0);
        return { up: true };
      },
    });
    engine.setTargets([target('only', 10_000)]); // one target: offset 0
    engine.start();
    await timers.advanceTo(T0 + 9_999);
    assert.deepEqual(runs, []);
    await timers.advanceTo(T0 + 10_000);
    await engine.stop();
    assert.deepEqual(runs, [10_000]);
  });

  it('reports ticks lost when the process fell more than an interval behind, then resumes on the grid', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const runs: number[] = [];
    const skipped: string[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      run: async () => {
        runs.push(clock.now() - T0);
        return { up: true };
      },
      hooks: { onSkipped: (_t, reason) => skipped.push(reason) },
    });
    engine.setTargets([target('only', 1_000)]);
    engine.start();
    await timers.advanceTo(T0); // tick at 0
    clock.set(T0 + 5_500); // the event loop was blocked for 5.5s
    await timers.advanceTo(T0 + 7_000);
    await engine.stop();
    assert.deepEqual(skipped, ['behind']);
    // The overdue tick (1000) runs late once; the next ones are back on the 1s grid.
    assert.deepEqual(runs, [0, 5_500, 6_000, 7_000]);
  });
});
