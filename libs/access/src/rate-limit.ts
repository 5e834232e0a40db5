import type { Redis } from 'ioredis';

/**
 * Rate limits by the generic cell rate algorithm: `limit` requests a minute, all of them allowed
 * at once as a burst, then one every 60/limit seconds. One number (the theoretical arrival time)
 * per key, so it lives in Redis and holds across every replica.
 */
export interface RateDecision {
  allowed: boolean;
  /** When not allowed: how long until one more request would be (Retry-After). */
  retryAfterMs: number;
}

export function gcra(tat: number | undefined, now: number, limitPerMinute: number): { decision: RateDecision; tat: number } {
  const interval = 60_000 / limitPerMinute;
  const tolerance = 60_000 - interval;
  const start = Math.max(tat ?? now, now);
  if (start - now > tolerance) return { decision: { allowed: false, retryAfterMs: start - tolerance - now }, tat: start };
  return { decision: { allowed: true, retryAfterMs: 0 }, tat: start + interval };
}

// The same rule in Lua, on Redis' own clock so replicas with skewed clocks agree.
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = 60000 / tonumber(ARGV[1])
local tolerance = 60000 - interval
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
if tat - now > tolerance then return {0, math.ceil(tat - tolerance - now)} end
local nxt = tat + interval
redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil(nxt - now) + 1000)
return {1, 0}`;

export interface RateLimiterLike {
  take(key: string, limitPerMinute: number): Promise<RateDecision>;
}

export class RedisRateLimiter implements RateLimiterLike {
  private defined = false;

  constructor(
    private readonly redis: Redis,
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly prefix = 'nines:rate:',
  ) {}

  /** Fails open: a monitor whose own Redis is down must still take ingest and acks. */
  async take(key: string, limitPerMinute: number): Promise<RateDecision> {
    try {
      if (!this.defined) {
        this.redis.defineCommand('ninesGcra', { numberOfKeys: 1, lua: SCRIPT });
        this.defined = true;
      }
      const [ok, wait] = (await (this.redis as unknown as { ninesGcra(k: string, l: number): Promise<[number, number]> }).ninesGcra(this.prefix + key, limitPerMinute)) ?? [1, 0];
      return { allowed: ok === 1, retryAfterMs: Number(wait) };
    } catch (err) {
      this.onError(err);
      return { allowed: true, retryAfterMs: 0 };
    }
  }
}
