import Redis, { type RedisOptions } from 'ioredis';
import { DependencyError } from '../../../../libs/common/src/errors';
import { maskUrl } from '../../../../libs/common/src/secrets';

/**
 * Every Redis connection of the process comes from here: the shared command connection, one per
 * pub/sub subscription and the BullMQ ones (which need maxRetriesPerRequest: null). One place to
 * say how Nines reaches Redis, and to close everything on shutdown.
 */
export class RedisConnections {
  private readonly opened = new Set<Redis>();

  constructor(
    readonly url: string,
    private readonly name: string,
  ) {}

  /** The shared command connection: connects now, or fails with one line saying how to fix it. */
  async main(): Promise<Redis> {
    const redis = this.open('main', { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000, retryStrategy: (n) => Math.min(n * 200, 2000) });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      this.drop(redis);
      const e = err as { code?: string; message?: string };
      if (/NOAUTH|WRONGPASS/.test(e.message ?? '')) throw new DependencyError('redis', `Redis at ${maskUrl(this.url)} refused the credentials`, 'fix the password in REDIS_URL');
      throw new DependencyError('redis', `cannot reach Redis at ${maskUrl(this.url)} (${e.code ?? e.message})`, 'start Redis or set REDIS_URL to a reachable server');
    }
    return redis;
  }

  /** A connection for SUBSCRIBE (a subscribed connection can run nothing else). */
  subscriber(purpose: string): Redis {
    return this.open(purpose, { maxRetriesPerRequest: 2, retryStrategy: (n) => Math.min(n * 200, 2000) });
  }

  /**
   * A BullMQ connection. A producer does not queue commands while Redis is away (the outbox
   * relay enqueues later); a worker pipelines its many small commands.
   */
  queue(purpose: string, opts: { offlineQueue?: boolean; autoPipelining?: boolean } = {}): Redis {
    return this.open(purpose, { maxRetriesPerRequest: null, enableOfflineQueue: opts.offlineQueue ?? true, enableAutoPipelining: opts.autoPipelining ?? false });
  }

  /** Closes one connection this factory opened. */
  drop(redis: Redis): void {
    this.opened.delete(redis);
    redis.disconnect();
  }

  /** Closes every connection still open (the last step of a shutdown). */
  closeAll(): void {
    for (const r of this.opened) r.disconnect();
    this.opened.clear();
  }

  private open(purpose: string, opts: RedisOptions): Redis {
    const redis = new Redis(this.url, { connectionName: `${this.name}-${purpose}`, ...opts });
    redis.on('error', () => undefined); // reconnects are logged by their effects, not per attempt
    this.opened.add(redis);
    return redis;
  }
}
