import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/src/clock';
import { ProbeEngine } from './engine';
import type { Observation } from './observation';
import { computeOffsets } from './schedule';
import type { ProbeTarget } from './target';
import { FakeTimers, flushPromises } from './testing/fake-timers';

const T0 = Date.UTC(2025, 0, 1);

const target = (key: string, intervalMs: number, address = '127.0.0.1:1'): ProbeTarget => ({
  key,
  name: key,
  intervalMs,
  timeoutMs: Math.min(3000, intervalMs),
  labels: {},
  probe: { kind: 'tcp', address },
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ProbeEngine.setTargets on reload', () => {
  it('keeps state for surviving keys, stops removed ones and starts added ones', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const ran: string[] = [];
    const transitions: string[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 3, recovery: 1 },
      // pg1 answered once, then fails; the others are fine.
      run: async (t) => {
        ran.push(t.key);
        return t.key === 'pg1' && ran.filter((k) => k === 'pg1').length > 1 ? { up: false, reason: 'connection refused' } : { up: true };
      },
      hooks: { onTransition: (t, tr) => transitions.push(`${t.key}:${tr.from}->${tr.to}`) },
    });
    engine.setTargets([target('pg1', 1_000), target('old', 1_000)]);
    engine.start();
    await timers.advanceTo(T0 + 2_999); // pg1: up, then two failures (below the threshold of 3)
    assert.equal(engine.state('pg1')!.status, 'up');
    assert.equal(engine.state('pg1')!.consecutiveFailures, 2);

    // Reload: same key and interval (its spec may change), 'old' removed, 'new' added.
    engine.setTargets([target('pg1', 1_000, '10.0.0.1:5432'), target('new', 1_000)]);
    assert.equal(engine.state('pg1')!.consecutiveFailures, 2, 'state survives the reload');
    assert.equal(engine.state('old'), undefined);
    assert.deepEqual(engine.targets().map((t) => t.key).sort(), ['new', 'pg1']);
    assert.equal(engine.targets().find((t) => t.key === 'pg1')!.probe.address, '10.0.0.1:5432');

    const oldRuns = ran.filter((k) => k === 'old').length;
    await timers.advanceTo(T0 + 4_999);
    await engine.stop();
    assert.equal(ran.filter((k) => k === 'old').length, oldRuns, 'a removed target is not probed again');
    assert.ok(ran.includes('new'));
    // The third consecutive failure, counted across the reload, takes pg1 down.
    assert.ok(transitions.includes('pg1:up->down'), transitions.join(' '));
  });

  it('moves a target whose interval changed onto its new grid', async () => {
    const clock = new ManualClock(T0);
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
    engine.setTargets([target('a', 10_000)]);
    engine.start();
    await timers.advanceTo(T0 + 2_000);
    engine.setTargets([target('a', 3_000)]);
    await timers.advanceTo(T0 + 9_999);
    await engine.stop();
    assert.deepEqual(runs, [0, 3_000, 6_000, 9_000]);
  });

  it('drops the result of a probe whose target was removed while it ran', async () => {
    const clock = new ManualClock(T0);
    const gate = deferred<Observation>();
    const results: string[] = [];
    const engine = new ProbeEngine({
      clock,
      timers: new FakeTimers(clock),
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      run: () => gate.promise,
      hooks: { onResult: (r) => results.push(r.targetKey) },
    });
    engine.setTargets([target('gone', 10_000)]);
    assert.equal(engine.probeNow('gone'), true);
    engine.setTargets([]);
    gate.resolve({ up: false, reason: 'connection refused' });
    await engine.stop();
    assert.deepEqual(results, []);
  });
});

describe('ProbeEngine.stop', () => {
  it('waits for probes in flight and schedules nothing afterwards', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const gate = deferred<Observation>();
    const started: number[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      run: () => (started.push(clock.now() - T0), gate.promise),
    });
    engine.setTargets([target('a', 1_000)]);
    engine.start();
    await timers.advanceTo(T0);
    assert.deepEqual(started, [0]);

    let stopped = false;
    const stopping = engine.stop().then(() => (stopped = true));
    await flushPromises();
    assert.equal(stopped, false, 'stop() returned while a probe was running');
    gate.resolve({ up: true });
    await stopping;
    assert.equal(stopped, true);
    assert.equal(engine.state('a')!.status, 'up', 'the in-flight result was still recorded');

    await timers.advanceTo(T0 + 10_000);
    assert.deepEqual(started, [0]);
  });

  it('returns at once when nothing is running', async () => {
    const clock = new ManualClock(T0);
    const engine = new ProbeEngine({ clock, timers: new FakeTimers(clock), concurrency: 1, thresholds: { failure: 1, recovery: 1 }, run: async () => ({ up: true }) });
    engine.setTargets([target('a', 1_000)]);
    engine.start();
    await engine.stop(); // would hang the test if it waited for anything
  });

  it('starts no probe whose claim was still pending when stop() was called, and waits for the claim', async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const claim = deferred<boolean[]>();
    const ran: string[] = [];
    const engine = new ProbeEngine({
      clock,
      timers,
      concurrency: 10,
      thresholds: { failure: 1, recovery: 1 },
      claimer: { claim: () => claim.promise },
      run: async (t) => {
        ran.push(t.key);
        return { up: true };
      },
    });
    const targets = [target('a', 10_000)];
    engine.setTargets(targets);
    engine.start();
    await timers.advanceTo(T0 + computeOffsets(targets).get('a')!); // the tick is due; its claim is pending

    let stopped = false;
    const stopping = engine.stop().then(() => (stopped = true));
    await flushPromises();
    assert.equal(stopped, false, 'stop() returned while a claim was in the air');
    claim.resolve([true]);
    await stopping;
    await flushPromises();
    assert.deepEqual(ran, [], 'a probe started after stop() returned');
  });
});
