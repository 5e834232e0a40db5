import type { ProbeResult } from './observation';

/**
 * Up/down state of one target, with consecutive-failure and recovery thresholds so one lost
 * packet does not flip a target. Pure: the engine feeds it results in order.
 */
export type TargetStatus = 'unknown' | 'up' | 'down';

export interface TargetState {
  status: TargetStatus;
  since: number; // when the current status began (epoch ms)
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastResult?: ProbeResult;
  /** First failed observation of the current failure streak: what RTO counts from. */
  firstFailureAt?: number;
}

export const initialState = (): TargetState => ({ status: 'unknown', since: 0, consecutiveFailures: 0, consecutiveSuccesses: 0 });

export interface Transition {
  from: TargetStatus;
  to: TargetStatus;
  at: number;
}

export function applyResult(
  prev: TargetState,
  r: ProbeResult,
  thresholds: { failure: number; recovery: number },
): { state: TargetState; transition?: Transition } {
  const s: TargetState = { ...prev, lastResult: r };
  const at = r.scheduledAt;
  if (r.up) {
    s.consecutiveSuccesses += 1;
    s.consecutiveFailures = 0;
    const needed = prev.status === 'down' ? thresholds.recovery : 1;
    if (prev.status !== 'up' && s.consecutiveSuccesses >= needed) {
      s.status = 'up';
      s.since = at;
      s.firstFailureAt = undefined;
      return { state: s, transition: { from: prev.status, to: 'up', at } };
    }
    if (prev.status === 'up') s.firstFailureAt = undefined;
    return { state: s };
  }
  s.consecutiveFailures += 1;
  s.consecutiveSuccesses = 0;
  // While down, a lone success does not end the outage (recovery threshold), so it must not move
  // the start RTO counts from.
  if (s.consecutiveFailures === 1 && (prev.status !== 'down' || s.firstFailureAt === undefined)) s.firstFailureAt = at;
  const needed = prev.status === 'up' ? thresholds.failure : 1;
  if (prev.status !== 'down' && s.consecutiveFailures >= needed) {
    s.status = 'down';
    s.since = at;
    return { state: s, transition: { from: prev.status, to: 'down', at } };
  }
  return { state: s };
}
