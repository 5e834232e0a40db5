interface Waiting<V> {
  key: string;
  resolve(v: V | undefined): void;
  reject(e: unknown): void;
}

/**
 * Coalesces the calls made within one turn of the event loop into one call with all their keys:
 * with dozens of deliveries in flight, one `update … where id = any($1)` instead of one round
 * trip each. A lone call goes through `one` as before. A batch that fails is retried key by key,
 * so a deadlock between two batches, or one bad key, costs no caller more than the unbatched
 * call would have.
 *
 * `exclusive`: a key asked for twice in the same batch is answered once, the other caller gets
 * undefined, as the second of two separate claims of one row would.
 */
export class Coalescer<V> {
  private waiting: Waiting<V>[] = [];

  constructor(
    private readonly many: (keys: string[]) => Promise<Map<string, V>>,
    private readonly one: (key: string) => Promise<V | undefined>,
    private readonly opts: { exclusive: boolean; maxBatch?: number },
  ) {}

  call(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ key, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const all = this.waiting;
    this.waiting = [];
    const max = this.opts.maxBatch ?? 500;
    for (let i = 0; i < all.length; i += max) void this.run(all.slice(i, i + max));
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
