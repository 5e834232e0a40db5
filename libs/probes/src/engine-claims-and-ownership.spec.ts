import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/src/clock';
import { ProbeEngine, TickClaimer } from './engine';
import { computeOffsets } from './schedule';
import type { ProbeTarget } from './target';
import { FakeTimers } from './testing/fake-timers';

const T0 = Date.UTC(2025, 0, 1);

const target = (key: string, intervalMs: number): ProbeTarget => ({
  key,
  name: key,
  intervalMs,
  timeoutMs: Math.min(3000, intervalMs),
  labels: {},
  probe: { kind: 'tcp', address: '127.0.0.1:1' },
});

type Tick = { key: string; scheduledAt: number; intervalMs: number };

function setup(opts: { claimer?: TickClaimer; owns?: (shardKey: string) => boolean }) {
  const clock = new ManualClock(T0);
  const timers = new FakeTimers(clock);
  const ran: string[] = [];
  const skipped: string[] = [];
  const engine = new ProbeEngine({
    clock,
    timers,
    concurrency: 10,
    thresholds: { failure: 1, recovery: 1 },
    claimer: opts.claimer,
    ownership: opts.owns ? { owns: opts.owns } : undefined,
    run: async (t) => {
      ran.push(t.key);
      return { up: true };
    },
    hooks: { onSkipped: (t, reason) => skipped.push(`${t.key}:${reason}`) },
  });
  return { clock, timers, engine, ran, skipped };
}

describe('ProbeEngine asks the claimer before each tick', () => {
  it('passes the exact tick identity (key, scheduledAt, interval) to the claimer', async () => {
    const claimed: Tick[] = [];
    const { timers, engine } = setup({ claimer: { claim: async (ticks) => (claimed.push(...ticks), ticks.map(() => true)) } });
    const targets = [target('pg1', 10_000), target('pg2', 10_000)];
    const offsets = computeOffsets(targets);
    engine.setTargets(targets);
    engine.start();
    await timers.advanceTo(T0 + 9_999);
    await engine.stop();
    assert.deepEqual(
      claimed.sort((a, b) => a.scheduledAt - b.scheduledAt),
      targets.map((t) => ({ key: t.key, scheduledAt: T0 + offsets.get(t.key)!, intervalMs: 10_000 })).sort((a, b) => a.scheduledAt - b.scheduledAt),
    );
  });

  it('skips a tick another replica claimed, with reason claimed_elsewhere', async () => {
    const { timers, engine, ran, skipped } = setup({
      claimer: { claim: async (ticks) => ticks.map((t) => t.key !== 'theirs') },
    });
    engine.setTargets([target('mine', 10_000), target('theirs', 10_000)]);
    engine.start();
    await timers.advanceTo(T0 + 9_999);
    await engine.stop();
    assert.deepEqual(ran, ['mine']);
    assert.deepEqual(skipped, ['theirs:claimed_elsewhere']);
  });

  it('runs a target again at its next tick after a tick claimed elsewhere (no stuck reservation)', async () => {
    let round = 0;
    const { timers, engine, ran } = setup({ claimer: { claim: async (ticks) => ticks.map(() => round++ > 0) } });
    engine.setTargets([target('flip', 1_000)]);
    engine.start();
    await timers.advanceTo(T0 + 1_000);
    await engine.stop();
    assert.deepEqual(ran, ['flip']); // tick 0 lost the claim, tick 1000 won it
  });

  it('still runs the probes when the claimer throws (claim store down)', async () => {
    const { timers, engine, ran, skipped } = setup({
      claimer: {
        claim: async () => {
          throw new Error('ECONNREFUSED 127.0.0.1:6379');
        },
      },
    });
    engine.setTargets([target('a', 10_000), target('b', 10_000)]);
    engine.start();
    await timers.advanceTo(T0 + 9_999);
    await engine.stop();
    assert.deepEqual(ran.sort(), ['a', 'b']);
    assert.deepEqual(skipped, []);
  });
});

describe('ProbeEngine runs only what this replica owns', () => {
  it('does not run or claim a target owned by another prober, but keeps it scheduled', async () => {
    const claimed: string[] = [];
    const owned = new Set(['mine']);
    const { timers, engine, ran } = setup({
      claimer: { claim: async (ticks) => (claimed.push(...ticks.map((t) => t.key)), ticks.map(() => true)) },
      // The ownership key is the target's shard key, which names the target.
      owns: (shardKey) => [...owned].some((k) => shardKey === k || shardKey.endsWith(`:${k}`)),
    });
    engine.setTargets([target('mine', 5_000), target('theirs', 5_000)]);
    engine.start();
    await timers.advanceTo(T0 + 4_999);
    assert.deepEqual(ran, ['mine']);
    assert.deepEqual(claimed, ['mine']);

    owned.add('theirs'); // the other prober left: its targets move here
    await timers.advanceTo(T0 + 9_999);
    await engine.stop();
    assert.deepEqual(ran.sort(), ['mine', 'mine', 'theirs']);
  });
});
