import { createHash } from 'node:crypto';
import type { Route } from '../route';
import type { GroupMember } from './member';

/** What a notification would say, in 16 hex digits: the same set of firing (and flapping) and resolved alerts hashes alike. */
export function flushHash(firing: GroupMember[], resolved: GroupMember[]): string {
  return createHash('sha256')
    .update(firing.map((a) => `${a.fingerprint}:${a.flapping}`).sort().join(',') + '|' + resolved.map((a) => a.fingerprint).sort().join(','))
    .digest('hex')
    .slice(0, 16);
}

export interface DedupInput {
  firing: GroupMember[];
  resolved: GroupMember[];
  /** Some member fires, suppressed or not. */
  anyFiring: boolean;
  last: { flushAt?: number; hash?: string };
  route: Pick<Route, 'repeatIntervalMs' | 'groupIntervalMs'>;
  /** Every firing member's incident is acknowledged: repeats stop. */
  acknowledged: boolean;
  now: number;
}

export type DedupDecision =
  | { send: true; hash: string; nextFlushAt?: number }
  /** rememberHash: nothing fires at all, so the hash is kept and firing again is news. */
  | { send: false; hash: string; nextFlushAt?: number; rememberHash: boolean };

/**
 * Against the group's notification log (its last hash and flush): send what changed, repeat what
 * did not once repeat_interval has passed (unless acknowledged), and otherwise say when to look again.
 */
export function dedup(d: DedupInput): DedupDecision {
  const { firing, resolved, route, now } = d;
  const hash = flushHash(firing, resolved);
  const repeatDue = d.last.flushAt !== undefined && now - d.last.flushAt >= route.repeatIntervalMs;
  const changed = hash !== d.last.hash;
  if ((!firing.length && !resolved.length) || (!changed && (!repeatDue || d.acknowledged))) {
    // Silenced or inhibited members still fire: look again each group_interval, as a silence
    // can end. Nothing firing at all: remember that, so firing again is news.
    const nextFlushAt = firing.length
      ? repeatDue
        ? now + route.repeatIntervalMs
        : d.last.flushAt! + route.repeatIntervalMs
      : d.anyFiring
        ? now + route.groupIntervalMs
        : undefined;
    return { send: false, hash, nextFlushAt, rememberHash: !d.anyFiring };
  }
  return { send: true, hash, nextFlushAt: firing.length ? now + route.repeatIntervalMs : undefined };
}
