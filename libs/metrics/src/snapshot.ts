import type { Clock } from '../../common/src/clock';

/**
 * A database read behind /metrics: done at most once per maxAgeMs, one at a time, and awaited for
 * at most waitMs. When it fails or hangs, the last good value stays, so a series never vanishes
 * because Nines' own PostgreSQL is away.
 */
export class Snapshot<T> {
  private value: T;
  private at = -Infinity;
  private inFlight?: Promise<void>;

  constructor(
    initial: T,
    private readonly read: () => Promise<T>,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private readonly waitMs: number,
  ) {
    this.value = initial;
  }

  async get(): Promise<T> {
    if (this.clock.now() - this.at > this.maxAgeMs && !this.inFlight) {
      this.inFlight = this.read().then(
        (v) => {
          this.value = v;
          this.at = this.clock.now();
        },
        () => undefined, // keep the last good value
      );
      this.inFlight.finally(() => (this.inFlight = undefined));
    }
    // A scrape never waits long on a database that does not answer.
    if (this.inFlight) await Promise.race([this.inFlight, new Promise((r) => setTimeout(r, this.waitMs).unref())]);
    return this.value;
  }
}
