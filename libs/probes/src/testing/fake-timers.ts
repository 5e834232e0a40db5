import type { ManualClock } from '../../../common/src/clock';
import type { Timers } from '../timers';

/** Lets every settled promise run its continuations (several macrotask turns, for chains). */
export async function flushPromises(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Timers driven by a ManualClock, for scheduler tests: nothing fires until the test advances
 * time, and then each timer fires at its own due time, in order, with promises settled between.
 */
export class FakeTimers implements Timers {
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(private readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.clock.now() + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Moves the clock to `t`, firing every timer due on the way at its due time. */
  async advanceTo(t: number): Promise<void> {
    for (;;) {
      await flushPromises();
      let nextId: number | undefined;
      let next: { at: number; fn: () => void } | undefined;
      for (const [id, timer] of this.pending) {
        if (timer.at <= t && (!next || timer.at < next.at)) [nextId, next] = [id, timer];
      }
      if (!next) break;
      this.pending.delete(nextId!);
      if (next.at > this.clock.now()) this.clock.set(next.at);
      next.fn();
    }
    if (t > this.clock.now()) this.clock.set(t);
    await flushPromises();
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.clock.now() + ms);
  }
}
