import type { ProbeResult } from './observation';
import { downFrom, quorumVerdict, type LocationVote, type QuorumVerdict } from './quorum';
import type { ProbeTarget } from './target';
import type { TargetState, TargetStatus } from './target-state';

/**
 * Probing from several locations, the per-result part: what one location's prober says about a
 * target (its vote, after its own failure/recovery thresholds), the verdict of all fresh votes,
 * and whether this location's result is the one the rest of Nines (alerts, topology, the stored
 * state) should see. Pure: the board that carries votes between locations is injected elsewhere.
 */
export interface Vote {
  up: boolean;
  /** Scheduled time of the probe that cast it. */
  at: number;
  reason?: string;
  /** Whom the target names as leader, primary or VIP holder (split brain seen from outside). */
  leader?: string;
  role?: string;
  /** The start of this location's current failure streak (RTO counts from the earliest). */
  firstFailureAt?: number;
}

/** A location's vote from its own thresholded state; none while it has not decided (unknown). */
export function voteOf(state: TargetState, r: ProbeResult): Vote | undefined {
  if (state.status === 'unknown') return undefined;
  const v: Vote = { up: state.status === 'up', at: r.scheduledAt };
  if (r.reason && !r.up) v.reason = r.reason;
  if (r.leader) v.leader = r.leader;
  if (r.role) v.role = r.role;
  if (state.status === 'down' && state.firstFailureAt !== undefined) v.firstFailureAt = state.firstFailureAt;
  return v;
}

/** Parses a stored vote; anything malformed counts as no vote. */
export function parseVote(text: string | null | undefined): Vote | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<Vote>;
    if (typeof v.up !== 'boolean' || typeof v.at !== 'number' || !Number.isFinite(v.at)) return undefined;
    const out: Vote = { up: v.up, at: v.at };
    if (typeof v.reason === 'string') out.reason = v.reason;
    if (typeof v.leader === 'string') out.leader = v.leader;
    if (typeof v.role === 'string') out.role = v.role;
    if (typeof v.firstFailureAt === 'number') out.firstFailureAt = v.firstFailureAt;
    return out;
  } catch {
    return undefined;
  }
}

/** How old a vote may be and still count: two intervals plus the timeout, as a stale series. */
export const voteStaleMs = (t: Pick<ProbeTarget, 'intervalMs' | 'timeoutMs'>) => 2 * t.intervalMs + t.timeoutMs;

/** The locations a target is probed from (its own list, else every live one) and its quorum (else a majority). */
export function ruleFor(t: Pick<ProbeTarget, 'locations' | 'quorum'>, live: ReadonlySet<string>): { locations: string[]; quorum: number } {
  const locations = t.locations ?? [...live].sort();
  return { locations, quorum: t.quorum ?? Math.floor(locations.length / 2) + 1 };
}

export function verdictOf(t: ProbeTarget, votes: ReadonlyMap<string, Vote>, live: ReadonlySet<string>, now: number): QuorumVerdict {
  const list: LocationVote[] = [...votes].map(([location, v]) => ({ location, up: v.up, at: v.at, reason: v.reason }));
  return quorumVerdict(ruleFor(t, live), list, live, now, voteStaleMs(t));
}

/** The verdict as the rest of Nines knows it (stored in Redis by the location that made it so). */
export interface SettledVerdict {
  status: TargetStatus;
  since: number;
  /** This call changed it (this location's result tipped the verdict). */
  changed: boolean;
  /** The status before, when this call changed it. */
  previous?: TargetStatus;
}

/**
 * What the rest of Nines sees of a target: the verdict's state, with this location's result as
 * its last result when the location agrees with the verdict. Down from the earliest failure among
 * the locations that see it down, so RTO counts from the first sign anywhere.
 */
export function verdictState(local: TargetState, settled: SettledVerdict, verdict: QuorumVerdict, votes: ReadonlyMap<string, Vote>): TargetState {
  const firstFailures = verdict.down.map((l) => votes.get(l)?.firstFailureAt).filter((x): x is number => x !== undefined);
  const s: TargetState = { ...local, status: settled.status, since: settled.since };
  if (settled.status === 'down') s.firstFailureAt = firstFailures.length ? Math.min(...firstFailures) : (local.firstFailureAt ?? settled.since);
  else s.firstFailureAt = undefined;
  if (s.lastResult && settled.status !== 'unknown' && s.lastResult.up !== (settled.status === 'up')) {
    // A location that disagrees is not fed on (see feeds()), but its metrics and row stay true to the verdict.
    s.lastResult = { ...s.lastResult, up: settled.status === 'up', reason: settled.status === 'down' ? reasonOf(verdict, votes) : undefined };
  }
  return s;
}

/** "down from dc1 (connection refused), dc3 (timeout after 3s)": the verdict's reason in words. */
export function reasonOf(verdict: QuorumVerdict, votes: ReadonlyMap<string, Vote>): string {
  return downFrom(verdict.down, (l) => votes.get(l)?.reason);
}

/**
 * Whether this location's result goes on to alerts, topology and storage. One location feeds at a
 * time, so a system's roles do not flicker between what different locations see: the location
 * that tipped the verdict, else the first (in the rule's order) of those whose fresh vote agrees
 * with it. A location that disagrees (cut off, or seeing a failure the others do not) only votes.
 */
export function feeds(me: string, own: Vote | undefined, settled: SettledVerdict, verdict: QuorumVerdict, rule: { locations: string[] }): boolean {
  if (settled.status === 'unknown') return false;
  const agreeing = settled.status === 'up' ? verdict.up : verdict.down;
  if (!own || own.up !== (settled.status === 'up') || !agreeing.includes(me)) return false;
  if (settled.changed) return true;
  const first = rule.locations.find((l) => agreeing.includes(l));
  return first === me || first === undefined;
}
