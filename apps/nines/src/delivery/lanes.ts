/**
 * One lane per receiver and channel: at most `limit` deliveries to it run at once, the rest
 * wait in order. The worker takes many more jobs than any one lane may run, so a receiver that
 * hangs fills its own lane and waits there, while every other receiver's deliveries go past it.
 */
export class LanesClosedError extends Error {
  constructor() {
    super('delivery lanes closed: the worker is shutting down');
    this.name = 'LanesClosedError';
  }
}

interface Waiter {
  go(): void;
  cancel(e: Error): void;
}

export class Lanes {
  private readonly lanes = new Map<string, { running: number; waiting: Waiter[] }>();
  private closed = false;

  /**
   * Work already running finishes; work still waiting, and any run() from now on, fails with
   * LanesClosedError at once, so a shutdown does not wait behind a hanging receiver's backlog.
   */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes.values()) for (const w of lane.waiting.splice(0)) w.cancel(new LanesClosedError());
  }

  /** Runs `work` in lane `key`, which lets `limit` run at once (the caller's limit for that receiver and channel). */
  async run<T>(key: string, limit: number, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new LanesClosedError();
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { running: 0, waiting: [] }));
    if (lane.running >= Math.max(1, limit)) await new Promise<void>((go, cancel) => lane!.waiting.push({ go, cancel }));
    else lane.running++;
    try {
      return await work();
    } finally {
      const next = lane.waiting.shift();
      if (next) next.go(); // the slot passes to the next in line: running stays as it is
      else if (--lane.running === 0) this.lanes.delete(key);
    }
  }

  /** Deliveries running and waiting per lane, for metrics and tests. */
  snapshot(): Record<string, { running: number; waiting: number }> {
    return Object.fromEntries([...this.lanes].map(([k, l]) => [k, { running: l.running, waiting: l.waiting.length }]));
  }
}
