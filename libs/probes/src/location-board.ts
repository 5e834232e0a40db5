import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../common/src/clock';
import { parseVote, type SettledVerdict, type Vote } from './location-votes';
import type { TargetStatus } from './target-state';
import type { LocationSeen } from './location-report';

/** Where votes and verdicts live in Redis; shared by every process of one deployment. */
export const LOCATION_KEYS = {
  /** Sorted set: location → when one of its probers last heart-beat (ms). */
  locations: 'nines:locations',
  /** Hash per location: target key → that location's latest vote (JSON). */
  votes: (location: string) => `nines:votes@${location}`,
  /** Hash: target key → "status|since" of the verdict the rest of Nines acts on. */
  verdicts: 'nines:verdicts',
  /** The probers of one location (membership ring), as RedisMembership keeps it. */
  probers: (location: string) => `nines:probers@${location}`,
};

/** A location forgotten (not even reported down) when none of its probers has beaten for this long. */
const FORGET_AFTER_MS = 24 * 3600_000;

// Compare-and-set of a verdict: only a change of status moves `since`, and the caller learns
// whether it was the one that changed it (so exactly one location reports the transition).
const SETTLE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local prev = 'unknown'
if cur then
  local st, since = string.match(cur, '^(%a+)|(%d+)$')
  if st == ARGV[2] then return {st, since, 0, st} end
  if st then prev = st end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
return {ARGV[2], ARGV[3], 1, prev}`;

/**
 * The votes board of probing from several locations, in Redis: each prober heart-beats its
 * location, casts its vote on every result and reads the other locations' votes in the same round
 * trip; the verdict is settled by compare-and-set so one transition is reported once.
 */
export class RedisLocationBoard {
  private liveSet = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    readonly location: string,
    private readonly logger: Pick<Logger, 'warn'>,
    readonly opts = { heartbeatMs: 2000, ttlMs: 6000 },
    private readonly clock: Clock = systemClock,
  ) {
    this.liveSet.add(location);
  }

  /** Locations whose probers heart-beat within the TTL, as of the last beat (this one always). */
  live(): ReadonlySet<string> {
    return this.liveSet;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    try {
      const now = this.clock.now();
      const res = await this.redis
        .multi()
        .zadd(LOCATION_KEYS.locations, now, this.location)
        .zremrangebyscore(LOCATION_KEYS.locations, '-inf', now - FORGET_AFTER_MS)
        .zrangebyscore(LOCATION_KEYS.locations, now - this.opts.ttlMs, '+inf')
        .exec();
      const names = (res?.[2]?.[1] as string[] | undefined) ?? [];
      this.liveSet = new Set([...names, this.location]);
    } catch (err) {
      this.logger.warn({ err }, 'location heartbeat failed');
    }
  }

  /** Casts this location's vote (none: leaves the last one) and reads the others' in one round trip. */
  async cast(target: string, vote: Vote | undefined, locations: readonly string[]): Promise<Map<string, Vote>> {
    const p = this.redis.pipeline();
    if (vote) p.hset(LOCATION_KEYS.votes(this.location), target, JSON.stringify(vote));
    const asked = [...new Set([...locations, this.location])];
    for (const l of asked) p.hget(LOCATION_KEYS.votes(l), target);
    const res = (await p.exec()) ?? [];
    const replies = res.slice(vote ? 1 : 0);
    const out = new Map<string, Vote>();
    asked.forEach((l, i) => {
      const [err, text] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      const v = parseVote(text as string | null);
      if (v) out.set(l, v);
    });
    return out;
  }

  /** Settles the verdict: a change of status is recorded with `at` as its start, once. */
  async settle(target: string, status: TargetStatus, at: number): Promise<SettledVerdict> {
    if (status === 'unknown') {
      const cur = await this.redis.hget(LOCATION_KEYS.verdicts, target);
      const m = cur ? /^(\w+)\|(\d+)$/.exec(cur) : null;
      return m ? { status: m[1] as TargetStatus, since: Number(m[2]), changed: false } : { status: 'unknown', since: 0, changed: false };
    }
    const r = (await this.redis.eval(SETTLE, 1, LOCATION_KEYS.verdicts, target, status, String(Math.round(at)))) as [string, string, number, string];
    return { status: r[0] as TargetStatus, since: Number(r[1]), changed: Number(r[2]) === 1, previous: r[3] as TargetStatus };
  }
}

/** What any process (an api replica's /metrics, the locations API) reads of the board. */
export class LocationBoardReader {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs = 6000,
    private readonly clock: Clock = systemClock,
  ) {}

  async locations(): Promise<LocationSeen[]> {
    const now = this.clock.now();
    const flat = await this.redis.zrange(LOCATION_KEYS.locations, 0, -1, 'WITHSCORES');
    const seen: { name: string; lastSeen: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) seen.push({ name: flat[i], lastSeen: Number(flat[i + 1]) });
    if (!seen.length) return [];
    const p = this.redis.pipeline();
    for (const s of seen) p.zcount(LOCATION_KEYS.probers(s.name), now - this.ttlMs, '+inf');
    const counts = (await p.exec()) ?? [];
    return seen
      .map((s, i) => ({ ...s, up: now - s.lastSeen <= this.ttlMs, probers: Number(counts[i]?.[1] ?? 0) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every vote of these locations: location → target → vote. */
  async votes(locations: readonly string[]): Promise<Map<string, Map<string, Vote>>> {
    const p = this.redis.pipeline();
    for (const l of locations) p.hgetall(LOCATION_KEYS.votes(l));
    const res = (await p.exec()) ?? [];
    const out = new Map<string, Map<string, Vote>>();
    locations.forEach((l, i) => {
      const [err, all] = res[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      const m = new Map<string, Vote>();
      for (const [k, text] of Object.entries((all as Record<string, string>) ?? {})) {
        const v = parseVote(text);
        if (v) m.set(k, v);
      }
      out.set(l, m);
    });
    return out;
  }
}
