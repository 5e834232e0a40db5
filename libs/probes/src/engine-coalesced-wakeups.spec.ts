import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/src/clock';
import { ProbeEngine } from './engine';
import { computeOffsets } from './schedule';
import type { ProbeTarget } from './target';
import { FakeTimers } from './testing/fake-timers';

const T0 = Date.UTC(2025, 0, 1);

const target = (key: string, intervalMs: number): ProbeTarget => ({
  key,
  name: key,
  intervalMs,
  timeoutMs: 500,
  labels: {},
  probe: { kind: 'tcp', address: '127.0.0.1:1' },
});

/** FakeTimers that count how often a timer actually fired (a process wake-up). */
class CountingTimers extends FakeTimers {
  fired = 0;
  override setTimeout(fn: () => void, ms: number): unknown {
    return super.setTimeout(() => {
      this.fired += 1;
      fn();
    }, ms);
  }
}

function run(coalesceMs: number | undefined) {
  const clock = new ManualClock(T0);
  const timers = new CountingTimers(clock);
  // 100 targets every second: one tick due every 10 ms.
  const targets = Array.from({ length: 100 }, (_, i) => target(`t${i}`, 1_000));
  const runs: { key: string; scheduledAt: number; late: number }[] = [];
  const engine = new ProbeEngine({
    clock,
    timers,
    concurrency: 1_000,
    thresholds: { failure: 1, recovery: 1 },
    coalesceMs,
    run: async () => ({ up: true }),
    hooks: { onResult: (r) => runs.push({ key: r.targetKey, scheduledAt: r.scheduledAt, late: r.startedAt - r.scheduledAt }) },
  });
  engine.setTargets(targets);
  engine.start();
  return { clock, timers, engine, targets, runs };
}

describe('ProbeEngine with coalesced wake-ups', () => {
  it('runs every tick once, at most coalesceMs late, with a fraction of the wake-ups', async () => {
    const exact = run(undefined);
    await exact.timers.advanceTo(T0 + 999);
    await exact.engine.stop();

    const coalesced = run(50);
    await coalesced.timers.advanceTo(T0 + 999 + 50);
    await coalesced.engine.stop();

    const offsets = computeOffsets(coalesced.targets);
    // The first interval's ticks (a coalesced wake near its end also takes the next one's first ticks).
    const ticks = (rs: { key: string; scheduledAt: number }[]) =>
      rs.filter((r) => r.scheduledAt < T0 + 1_000).map((r) => `${r.key}@${r.scheduledAt - T0}`).sort();
    const expected = coalesced.targets.map((t) => `${t.key}@${offsets.get(t.key)}`).sort();
    assert.deepEqual(ticks(exact.runs), expected);
    assert.deepEqual(ticks(coalesced.runs), expected, 'the same ticks, each once, still named by their scheduled time');

    assert.ok(exact.runs.every((r) => r.late === 0));
    // Never early (a tick is not run before its time), never more than coalesceMs late.
    assert.ok(coalesced.runs.every((r) => r.late >= 0 && r.late <= 50), `started late by ${coalesced.runs.map((r) => r.late).join(',')}`);
    assert.ok(coalesced.runs.some((r) => r.late > 0), 'ticks waited for their neighbours');

    assert.ok(exact.timers.fired >= 100, `exact schedule woke ${exact.timers.fired} times`);
    assert.ok(coalesced.timers.fired <= 25, `coalesced schedule woke ${coalesced.timers.fired} times for 100 ticks`);
  });
});
