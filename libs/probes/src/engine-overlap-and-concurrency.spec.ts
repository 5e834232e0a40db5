import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/src/clock';
import { ProbeEngine } from './engine';
import type { Observation } from './observation';
import type { ProbeTarget } from './target';
import { FakeTimers, flushPromises } from './testing/fake-timers';

const T0 = Date.UTC(2025, 0, 1);

const target = (key: string, intervalMs: number): ProbeTarget => ({
  key,
  name: key,
  intervalMs,
  timeoutMs: Math.min(3000, intervalMs),
  labels: {},
  probe: { kind: 'tcp', address: '127.0.0.1:1' },
});

/** A probe the test finishes by hand. */
class HeldRuns {
  active = new Map<string, number>();
  maxActive = 0;
  maxActivePerKey = 0;
  started: string[] = [];
  private releases: (() => void)[] = [];

  readonly run = (t: ProbeTarget): Promise<Observation> => {
    this.started.push(t.key);
    this.active.set(t.key, (this.active.get(t.key) ?? 0) + 1);
    this.maxActivePerKey = Math.max(this.maxActivePerKey, this.active.get(t.key)!);
    this.maxActive = Math.max(this.maxActive, this.total());
    return new Promise((resolve) =>
      this.releases.push(() => {
        this.active.set(t.key, this.active.get(t.key)! - 1);
        resolve({ up: true });
      }),
    );
  };

  total(): number {
    return [...this.active.values()].reduce((a, b) => a + b, 0);
  }

  get held(): number {
    return this.releases.length;
  }

  /** Finishes the oldest held probe. */
  async releaseOne(): Promise<void> {
    this.releases.shift()!();
    await flushPromises();
  }
}

describe('ProbeEngine never overlaps a target with itself', () => {
  it('skips a tick with reason overlap while the previous run is in flight', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const runs = new HeldRuns();
    const skipped: string[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      run: runs.run,
      hooks: { onSkipped: (t, reason) => skipped.push(`${t.key}:${reason}`) },
    });
    engine.setTargets([target('slow', 1_000)]);
    engine.start();
    await timers.advanceTo(T0 + 3_500); // ticks at 0 (runs), 1000, 2000, 3000 (all overlap)
    assert.deepEqual(runs.started, ['slow']);
    assert.deepEqual(skipped, ['slow:overlap', 'slow:overlap', 'slow:overlap']);

    await runs.releaseOne();
    await timers.advanceTo(T0 + 4_000); // the next tick after it finished runs again
    assert.deepEqual(runs.started, ['slow', 'slow']);
    assert.equal(runs.maxActivePerKey, 1);
    await runs.releaseOne();
    await engine.stop();
  });
});

describe('ProbeEngine bounds global concurrency', () => {
  it('never runs more probes at once than the bound, and runs every due probe eventually', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const runs = new HeldRuns();
    const engine = new ProbeEngine({ clock, timers, concurrency: 3, thresholds: { failure: 1, recovery: 1 }, run: runs.run });
    const keys = Array.from({ length: 10 }, (_, i) => `t${i}`);
    engine.setTargets(keys.map((k) => target(k, 60_000)));
    engine.start();
    await timers.advanceTo(T0 + 59_999); // every target's tick is due once
    assert.equal(runs.total(), 3);
    while (runs.held) {
      await runs.releaseOne();
      assert.ok(runs.total() <= 3, `${runs.total()} probes running`);
    }
    assert.equal(runs.maxActive, 3);
    assert.deepEqual([...runs.started].sort(), [...keys].sort());
    await engine.stop();
  });

  it('keeps the bound when a result hook starts a confirmation probe while others wait', async () => {
    const clock = new ManualClock(T0);
    const runs = new HeldRuns();
    let engine!: ProbeEngine;
    engine = new ProbeEngine({
      clock,
      timers: new FakeTimers(clock),
      concurrency: 1,
      thresholds: { failure: 1, recovery: 1 },
      run: runs.run,
      // The documented use of probeNow: re-probe a neighbour as soon as a result arrives.
      hooks: { onResult: (r) => void (r.targetKey === 'first' && engine.probeNow('confirm')) },
    });
    engine.setTargets([target('first', 60_000), target('queued', 60_000), target('confirm', 60_000)]);
    assert.equal(engine.probeNow('first'), true);
    assert.equal(engine.probeNow('queued'), true); // waits for the single slot
    await flushPromises();
    assert.deepEqual(runs.started, ['first']);

    await runs.releaseOne(); // 'first' finishes; its slot goes to 'queued', 'confirm' must wait
    assert.equal(runs.maxActive, 1, `ran ${runs.started.join(', ')} with ${runs.maxActive} at once`);
    while (runs.held) await runs.releaseOne();
    assert.deepEqual(runs.started, ['first', 'queued', 'confirm']);
    await engine.stop();
  });

  it('refuses probeNow for a target that is already running', async () => {
    const clock = new ManualClock(T0);
    const runs = new HeldRuns();
    const engine = new ProbeEngine({ clock, timers: new FakeTimers(clock), concurrency: 5, thresholds: { failure: 1, recovery: 1 }, run: runs.run });
    engine.setTargets([target('a', 60_000)]);
    assert.equal(engine.probeNow('a'), true);
    assert.equal(engine.probeNow('a'), false);
    assert.equal(engine.probeNow('no-such-target'), false);
    await flushPromises();
    assert.equal(runs.started.length, 1);
    await runs.releaseOne();
    await engine.stop();
  });
});
