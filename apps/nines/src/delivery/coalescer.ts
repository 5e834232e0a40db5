interface Waiting<V> {
  key: string;
  resolve(v: V | undefined): void;
  reject(e: unknown): void;
}

export interface CoalescerOptions {
  /** A key asked for twice in one batch is answered once; the other caller gets undefined. */
  exclusive: boolean;
  /** Keys per statement at most. */
  maxBatch?: number;
  /** Batches running at once at most; calls made meanwhile wait and go together in the next one. */
  maxInFlight?: number;
}

/**
 * Group commit for per-delivery statements: with dozens of deliveries in flight, one
 * `update … where id = any($1)` instead of one round trip each. Calls made in the same turn of
 * the event loop go together; while a batch is running, new calls wait for it and then go
 * together in the next batch, so an idle worker pays no added latency and a busy one makes fewer,
 * larger statements (each round trip costs a loopback write and a wake-up of the database).
 * A lone call goes through `one`. A batch that fails is retried key by key, so a deadlock or one
 * bad key costs no caller more than the unbatched call would have.
 *
 * `exclusive`: a key asked for twice in the same batch is answered once, the other caller gets
 * undefined, as the second of two separate claims of one row would.
 */
export class Coalescer<V> {
  private waiting: Waiting<V>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly many: (keys: string[]) => Promise<Map<string, V>>,
    private readonly one: (key: string) => Promise<V | undefined>,
    private readonly opts: CoalescerOptions,
  ) {}

  call(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      this.schedule();
    });
  }

  /** Batches running now; for tests and metrics. */
  get running(): number {
    return this.inFlight;
  }

  private schedule(): void {
    if (this.scheduled || !this.waiting.length || this.inFlight >= (this.opts.maxInFlight ?? 1)) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const limit = this.opts.maxInFlight ?? 1;
    const max = this.opts.maxBatch ?? 500;
    while (this.waiting.length && this.inFlight < limit) {
      const batch = this.waiting.splice(0, max);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async run(batch: Waiting<V>[]): Promise<void> {
    if (batch.length > 1) {
      let out: Map<string, V> | undefined;
      try {
        out = await this.many([...new Set(batch.map((b) => b.key))]);
      } catch {
        out = undefined; // key by key below
      }
      if (out) {
        const given = new Set<string>();
        for (const b of batch) {
          if (this.opts.exclusive && given.has(b.key)) b.resolve(undefined);
          else b.resolve(out.get(b.key));
          given.add(b.key);
        }
        return;
      }
    }
    for (const b of batch) {
      try {
        b.resolve(await this.one(b.key));
      } catch (err) {
        b.reject(err);
      }
    }
  }
}
