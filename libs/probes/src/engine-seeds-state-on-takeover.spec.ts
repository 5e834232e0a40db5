import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/src/clock';
import { ProbeEngine, type SeedState } from './engine';
import type { Observation } from './observation';
import type { ProbeTarget } from './target';
import type { TargetStatus } from './target-state';
import { FakeTimers } from './testing/fake-timers';

const T0 = Date.UTC(2025, 0, 1);
const target: ProbeTarget = { key: 'pg1', name: 'pg1', intervalMs: 1000, timeoutMs: 500, labels: {}, probe: { kind: 'tcp', address: '127.0.0.1:1' } };

/**
 * A prober that starts probing a target (its start-up, or a takeover from another replica) goes
 * on from the stored state, so failure and recovery thresholds hold across a rolling restart.
 */
function setup(opts: { results: boolean[]; stored?: SeedState; seederFails?: boolean; owned?: (tick: number) => boolean }) {
  const clock = new ManualClock(T0);
  const timers = new FakeTimers(clock);
  const statuses: TargetStatus[] = [];
  const firstFailures: (number | undefined)[] = [];
  const transitions: string[] = [];
  const seeded: string[][] = [];
  let n = 0;
  let tick = 0;
  const engine = new ProbeEngine({
    clock,
    timers,
    concurrency: 4,
    thresholds: { failure: 2, recovery: 2 },
    claimer: { claim: async (ticks) => ticks.map(() => opts.owned?.(tick++) ?? true) },
    seeder: {
      seed: async (keys) => {
        seeded.push(keys);
        if (opts.seederFails) throw new Error('database down');
        return new Map(opts.stored ? keys.map((k) => [k, opts.stored!]) : []);
      },
    },
    run: async (): Promise<Observation> => (opts.results[n++] ?? true ? { up: true } : { up: false, reason: 'connection refused' }),
    hooks: {
      onResult: (_r, _t, s) => {
        statuses.push(s.status);
        firstFailures.push(s.firstFailureAt);
      },
      onTransition: (_t, tr) => transitions.push(`${tr.from}->${tr.to}`),
    },
  });
  engine.setTargets([target]);
  return { timers, engine, statuses, transitions, seeded, firstFailures };
}

const UP: SeedState = { status: 'up', since: T0 - 3_600_000, consecutiveFailures: 0, consecutiveSuccesses: 40 };
const DOWN: SeedState = { status: 'down', since: T0 - 60_000, consecutiveFailures: 12, consecutiveSuccesses: 0, firstFailureAt: T0 - 62_000 };

describe('ProbeEngine seeds a target it starts probing from the stored state', () => {
  it('a target stored as up: one failed probe after the takeover is not an outage (failure threshold 2)', async () => {
    const { timers, engine, statuses, transitions, seeded } = setup({ results: [false, true], stored: UP });
    engine.start();
    await timers.advanceTo(T0 + 1999);
    await engine.stop();
    assert.deepEqual(seeded, [['pg1']]);
    assert.deepEqual(statuses, ['up', 'up']);
    assert.deepEqual(transitions, []);
  });

  it('a target stored as down: one lone success does not end the outage (recovery threshold 2), and the outage keeps its start', async () => {
    const { timers, engine, statuses, transitions, firstFailures } = setup({ results: [true, false, true, true], stored: DOWN });
    engine.start();
    await timers.advanceTo(T0 + 3999);
    await engine.stop();
    assert.deepEqual(statuses, ['down', 'down', 'down', 'up']);
    assert.deepEqual(firstFailures.slice(0, 3), [T0 - 62_000, T0 - 62_000, T0 - 62_000], 'RTO still counts from the stored first failure');
    assert.deepEqual(transitions, ['down->up']);
  });

  it('nothing stored (a new target) or the store unreadable: starts from unknown as before', async () => {
    for (const o of [{ stored: undefined }, { stored: UP, seederFails: true }]) {
      const { timers, engine, statuses, transitions } = setup({ results: [false], ...o });
      engine.start();
      await timers.advanceTo(T0 + 999);
      await engine.stop();
      assert.deepEqual(statuses, ['down']);
      assert.deepEqual(transitions, ['unknown->down']);
    }
  });

  it('reads the store once while it keeps probing, and again after ticks owned elsewhere (a takeover back)', async () => {
    // Ticks 0-1 here, 2-5 elsewhere, 6-7 here again.
    const { timers, engine, seeded } = setup({ results: [true, true, true, true], stored: UP, owned: (t) => t < 2 || t > 5 });
    engine.start();
    await timers.advanceTo(T0 + 7999);
    await engine.stop();
    assert.deepEqual(seeded, [['pg1'], ['pg1']]);
  });
});
