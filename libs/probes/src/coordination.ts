import { systemClock, type Clock } from '../../common/src/clock';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ownerOf } from './schedule';
import type { Ownership, TickClaimer } from './engine';

/**
 * Exactly-once ticks across replicas: before running a batch of due ticks, a prober claims each
 * one with SET NX in Redis; only the winner runs it. Keys expire after two intervals.
 */
export class RedisTickClaimer implements TickClaimer {
  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
    private readonly prefix = 'nines:tick:',
  ) {}

  async claim(ticks: { key: string; scheduledAt: number; intervalMs: number }[]): Promise<boolean[]> {
    const p = this.redis.pipeline();
    for (const t of ticks) p.set(`${this.prefix}${t.key}:${t.scheduledAt}`, this.instanceId, 'PX', Math.max(2 * t.intervalMs, 2000), 'NX');
    const res = (await p.exec()) ?? [];
    return ticks.map((_, i) => {
      const [err, val] = res[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return val === 'OK';
    });
  }
}

/**
 * Sharding by rendezvous hashing over the live probers (heartbeats in a Redis sorted set). A
 * prober that dies stops heartbeating and its targets move to the others within `ttlMs`;
 * claims keep ticks exact while the membership view differs between replicas.
 */
export class RedisMembership implements Ownership {
  private live: string[];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    readonly instanceId: string,
    private readonly logger: Logger,
    private readonly opts = { heartbeatMs: 2000, ttlMs: 6000, key: 'nines:probers' },
    private readonly clock: Clock = systemClock,
  ) {
    this.live = [instanceId];
  }

  owns(key: string): boolean {
    return ownerOf(key, this.live) === this.instanceId;
  }

  members(): string[] {
    return [...this.live];
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.zrem(this.opts.key, this.instanceId).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    try {
      const now = this.clock.now();
      const res = await this.redis
        .multi()
        .zadd(this.opts.key, now, this.instanceId)
        .zremrangebyscore(this.opts.key, '-inf', now - this.opts.ttlMs)
        .zrange(this.opts.key, 0, -1)
        .exec();
      const members = (res?.[2]?.[1] as string[] | undefined) ?? [this.instanceId];
      const next = members.includes(this.instanceId) ? members.sort() : [...members, this.instanceId].sort();
      if (next.join(',') !== this.live.join(',')) this.logger.info({ probers: next }, 'prober membership changed');
      this.live = next;
    } catch (err) {
      // Keep the last view; claims (or their fallback) still decide each tick.
      this.logger.warn({ err }, 'prober heartbeat failed');
    }
  }
}
