import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { TargetCard } from '../../console/src/cards';

/**
 * Redis channel on which every process names what it has just committed (a system's topology,
 * an incident), so the api replicas can push it to open consoles. A side channel like metrics:
 * the writers do not know who listens, and a lost message costs a console one stale card until
 * the next change (the prober saves each system at least every 5 s).
 */
export const CHANGE_FEED_CHANNEL = 'nines:changes';

export type Change =
  /** A system's stored topology was written (roles, lag, health, its incident). */
  | { kind: 'system'; name: string; at: number }
  /** An incident was opened, joined, acknowledged, noted or resolved. */
  | { kind: 'incident'; id: number; at: number }
  /** Silences changed (the console's alert list shows what they mute). */
  | { kind: 'silences'; at: number }
  /**
   * A standalone target changed state, announced by the prober as it happens, with its new card:
   * its row reaches the database with the next result flush, and the console should not wait for it.
   */
  | { kind: 'target'; name: string; at: number; card: TargetCard };

export type Publish = (c: Change) => void;

/** Announces a change; never throws and never waits for Redis (the commit already happened). */
export function changePublisher(redis: Pick<Redis, 'publish'>, logger: Pick<Logger, 'warn'>): Publish {
  let warnedAt = 0;
  return (c) => {
    redis.publish(CHANGE_FEED_CHANNEL, JSON.stringify(c)).catch((err) => {
      // Once a minute at most: a Redis outage must not flood the log from every commit.
      if (Date.now() - warnedAt > 60_000) {
        warnedAt = Date.now();
        logger.warn({ err: (err as Error)?.message }, 'could not announce a change to the consoles; they catch up at the next change');
      }
    });
  };
}

/** A message from the channel, or undefined when it is not one of ours. */
export function parseChange(text: string): Change | undefined {
  try {
    const c = JSON.parse(text) as Partial<Change> & { kind?: string };
    const at = typeof c.at === 'number' ? c.at : Date.now();
    if (c.kind === 'system' && typeof (c as { name?: unknown }).name === 'string') return { kind: 'system', name: (c as { name: string }).name, at };
    if (c.kind === 'incident' && Number.isSafeInteger((c as { id?: unknown }).id)) return { kind: 'incident', id: (c as { id: number }).id, at };
    if (c.kind === 'silences') return { kind: 'silences', at };
    if (c.kind === 'target') {
      const card = targetCardOf((c as { card?: unknown }).card);
      if (card) return { kind: 'target', name: card.name, at, card };
    }
  } catch {
    // not JSON: not ours
  }
  return undefined;
}

/** A target card from the channel, checked field by field (a console renders it as it is). */
function targetCardOf(v: unknown): TargetCard | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => typeof x === 'string';
  if (!str(o.name) || !str(o.kind) || !str(o.state)) return undefined;
  if (!(o.since === null || str(o.since)) || !(o.latency_ms === null || (typeof o.latency_ms === 'number' && Number.isFinite(o.latency_ms)))) return undefined;
  if (o.reason !== undefined && !str(o.reason)) return undefined;
  const card: TargetCard = { name: o.name as string, kind: o.kind as string, state: o.state as string, since: o.since as string | null, latency_ms: o.latency_ms as number | null };
  if (o.reason !== undefined) card.reason = o.reason as string;
  return card;
}
