import type { Clock } from '../../common/src/clock';
import type { Observation, ProbeResult } from './observation';
import { computeOffsets, DueHeap, nextTickAtOrAfter } from './schedule';
import { shardKey, type ProbeTarget } from './target';
import { applyResult, initialState, TargetState, Transition } from './target-state';
import { realTimers, Timers } from './timers';

/** Decides, across replicas, which one runs a given tick. */
export interface TickClaimer {
  claim(ticks: { key: string; scheduledAt: number; intervalMs: number }[]): Promise<boolean[]>;
}

/** Which targets this replica is responsible for (sharding); claims still make ticks exact. */
export interface Ownership {
  owns(key: string): boolean;
}

export interface EngineHooks {
  /** Every result, in completion order. */
  onResult?(result: ProbeResult, target: ProbeTarget, state: TargetState): void;
  onTransition?(target: ProbeTarget, transition: Transition, state: TargetState): void;
  onSkipped?(target: ProbeTarget, reason: 'overlap' | 'behind' | 'claimed_elsewhere'): void;
  onStart?(target: ProbeTarget, lagMs: number): void;
}

/** The stored state of targets, as the replica that probed them last left it. */
export type SeedState = Pick<TargetState, 'status' | 'since' | 'consecutiveFailures' | 'consecutiveSuccesses' | 'firstFailureAt'>;

export interface StateSeeder {
  seed(keys: string[]): Promise<Map<string, SeedState>>;
}

/** A target this process has not probed for this many of its intervals was another replica's meanwhile: what it knows of it is old. */
export const TAKEN_OVER_AFTER_INTERVALS = 2.5;

export interface EngineOptions {
  clock: Clock;
  timers?: Timers;
  concurrency: number;
  thresholds: { failure: number; recovery: number };
  claimer?: TickClaimer;
  ownership?: Ownership;
  hooks?: EngineHooks;
  /**
   * Where a target's state comes from when this process starts probing it (start-up, a takeover
   * from another replica): without it the thresholds would start from 'unknown', so one failed
   * probe right after a rolling restart would page and one lone success would end an outage.
   */
  seeder?: StateSeeder;
  /** The probe runner; injected so the scheduler can be tested without sockets. */
  run: (target: ProbeTarget) => Promise<Observation>;
  /**
   * How late a tick may start so that ticks due close together share one timer wake-up (0, the
   * default: each starts on time). Thousands of evenly spread targets otherwise wake the process
   * for every single tick, and those wake-ups cost more CPU than the ticks themselves.
   */
  coalesceMs?: number;
}

interface Entry {
  target: ProbeTarget;
  offsetMs: number;
  dueAt: number;
  inFlight: boolean;
  removed: boolean;
  generation: number; // bumps when the entry is rescheduled, so stale heap items are ignored
  state: TargetState;
  /** scheduledAt of the last result applied here. */
  lastAt?: number;
  /** The stored state being read for this entry, awaited before its result is applied. */
  seeding?: Promise<void>;
}

interface HeapItem {
  dueAt: number;
  entry: Entry;
  generation: number;
}

/**
 * The scheduler: one min-heap of due ticks and one timer. A tick whose previous run is still in
 * flight is skipped (never overlapped); a global semaphore bounds concurrency; every tick first
 * goes through the claimer so each runs once across all replicas.
 */
export class ProbeEngine {
  private entries = new Map<string, Entry>();
  private heap = new DueHeap<HeapItem>();
  private timer: unknown;
  private timerAt = Infinity;
  private running = 0;
  private waiting: (() => void)[] = [];
  private claiming = 0; // dispatches waiting on the claimer: stop() waits for them too
  private started = false;
  private idle: (() => void)[] = [];
  private readonly timers: Timers;

  constructor(private readonly opts: EngineOptions) {
    this.timers = opts.timers ?? realTimers;
  }

  /** Applies a (re)loaded target list, keeping state for targets whose key survives. */
  setTargets(targets: ProbeTarget[]): void {
    const offsets = computeOffsets(targets);
    const now = this.opts.clock.now();
    const next = new Map<string, Entry>();
    for (const t of targets) {
      const offsetMs = offsets.get(t.key)!;
      const old = this.entries.get(t.key);
      if (old) {
        const timingChanged = old.target.intervalMs !== t.intervalMs || old.offsetMs !== offsetMs;
        old.target = t;
        old.offsetMs = offsetMs;
        if (timingChanged) this.schedule(old, nextTickAtOrAfter(now + 1, t.intervalMs, offsetMs));
        next.set(t.key, old);
      } else {
        const e: Entry = { target: t, offsetMs, dueAt: 0, inFlight: false, removed: false, generation: 0, state: initialState() };
        this.schedule(e, nextTickAtOrAfter(now, t.intervalMs, offsetMs));
        next.set(t.key, e);
      }
    }
    for (const [k, e] of this.entries) if (!next.has(k)) e.removed = true;
    this.entries = next;
    this.arm();
  }

  start(): void {
    this.started = true;
    this.arm();
  }

  /** Stops scheduling and waits for in-flight probes to finish (bounded by their timeouts). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.running > 0 || this.waiting.length > 0 || this.claiming > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  state(key: string): TargetState | undefined {
    return this.entries.get(key)?.state;
  }

  targets(): ProbeTarget[] {
    return [...this.entries.values()].map((e) => e.target);
  }

  /** Runs a target now, outside its schedule (confirmation re-probes); returns false if busy. */
  probeNow(key: string): boolean {
    const e = this.entries.get(key);
    if (!e || e.inFlight) return false;
    void this.execute(e, this.opts.clock.now());
    return true;
  }

  private schedule(e: Entry, dueAt: number): void {
    e.dueAt = dueAt;
    e.generation += 1;
    this.heap.push({ dueAt, entry: e, generation: e.generation });
  }

  private arm(): void {
    if (!this.started) return;
    const top = this.heap.peek();
    if (!top) return;
    if (top.dueAt >= this.timerAt && this.timer !== undefined) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timerAt = top.dueAt;
    // Wake at most every second so a wall-clock jump cannot strand the schedule.
    const delay = Math.min(1000, Math.max(0, top.dueAt + (this.opts.coalesceMs ?? 0) - this.opts.clock.now()));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.tick();
    }, delay);
  }

  private tick(): void {
    if (!this.started) return;
    const now = this.opts.clock.now();
    const due: { entry: Entry; scheduledAt: number }[] = [];
    for (let top = this.heap.peek(); top && top.dueAt <= now; top = this.heap.peek()) {
      const item = this.heap.pop()!;
      const e = item.entry;
      if (e.removed || item.generation !== e.generation) continue;
      const scheduledAt = e.dueAt;
      // Next tick first; if we fell more than a whole interval behind, those ticks are lost.
      let nextAt = scheduledAt + e.target.intervalMs;
      if (nextAt <= now) {
        this.opts.hooks?.onSkipped?.(e.target, 'behind');
        nextAt = nextTickAtOrAfter(now + 1, e.target.intervalMs, e.offsetMs);
      }
      this.schedule(e, nextAt);
      if (this.opts.ownership && !this.opts.ownership.owns(shardKey(e.target))) continue;
      if (e.inFlight) {
        this.opts.hooks?.onSkipped?.(e.target, 'overlap');
        continue;
      }
      due.push({ entry: e, scheduledAt });
    }
    if (due.length) void this.dispatch(due);
    this.arm();
  }

  private async dispatch(due: { entry: Entry; scheduledAt: number }[]): Promise<void> {
    const ticks = due.map(({ entry, scheduledAt }) => ({ key: entry.target.key, scheduledAt, intervalMs: entry.target.intervalMs }));
    for (const d of due) d.entry.inFlight = true; // reserve while claiming so the next tick cannot overlap
    let claimed: boolean[];
    this.claiming += 1;
    try {
      claimed = this.opts.claimer ? await this.opts.claimer.claim(ticks) : ticks.map(() => true);
    } catch {
      claimed = ticks.map(() => true); // the claim store is down: probing matters more than exactness
    } finally {
      this.claiming -= 1;
    }
    if (!this.started) {
      // stop() was called while claiming: start nothing new.
      for (const d of due) d.entry.inFlight = false;
      this.settleIdle();
      return;
    }
    const run = due.filter((_, i) => claimed[i]);
    this.seed(run.filter(({ entry: e, scheduledAt }) => e.lastAt === undefined || scheduledAt - e.lastAt > TAKEN_OVER_AFTER_INTERVALS * e.target.intervalMs).map(({ entry }) => entry));
    due.forEach(({ entry: e }, i) => {
      if (!claimed[i]) {
        e.inFlight = false;
        this.opts.hooks?.onSkipped?.(e.target, 'claimed_elsewhere');
        return;
      }
      void this.execute(e, ticks[i].scheduledAt, true);
    });
  }

  /** Reads the stored state of entries new to this process while their probes run; one query for all. */
  private seed(entries: Entry[]): void {
    if (!this.opts.seeder || !entries.length) return;
    const loading = this.opts.seeder.seed(entries.map((e) => e.target.key)).then(
      (stored) => {
        for (const e of entries) {
          const s = stored.get(e.target.key);
          if (s) e.state = { ...e.state, ...s };
        }
      },
      () => undefined, // nothing stored can be read: start from what this process knows
    );
    for (const e of entries) e.seeding = loading;
  }

  private async execute(e: Entry, scheduledAt: number, reserved = false): Promise<void> {
    if (!reserved) e.inFlight = true;
    // A finishing probe hands its slot straight to the first waiter (running stays counted), so a
    // probe started in between (probeNow from a hook) cannot push running past the bound.
    if (this.running >= this.opts.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    else this.running += 1;
    const startedAt = this.opts.clock.now();
    this.opts.hooks?.onStart?.(e.target, Math.max(0, startedAt - scheduledAt));
    const t0 = performance.now();
    let obs: Observation;
    try {
      obs = await this.opts.run(e.target);
    } catch (err) {
      obs = { up: false, reason: `probe failed: ${(err as Error)?.message ?? String(err)}` };
    }
    const durationMs = performance.now() - t0;
    e.inFlight = false;
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
    if (e.seeding) {
      const seeding = e.seeding;
      await seeding;
      if (e.seeding === seeding) e.seeding = undefined;
    }
    if (!e.removed) {
      const result: ProbeResult = { ...obs, targetKey: e.target.key, scheduledAt, startedAt, durationMs };
      const { state, transition } = applyResult(e.state, result, this.opts.thresholds);
      e.state = state;
      e.lastAt = Math.max(e.lastAt ?? scheduledAt, scheduledAt);
      this.opts.hooks?.onResult?.(result, e.target, state);
      if (transition) this.opts.hooks?.onTransition?.(e.target, transition, state);
    }
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.running === 0 && this.waiting.length === 0 && this.claiming === 0) for (const r of this.idle.splice(0)) r();
  }
}
