import type { ProbeTarget } from '../../probes/src/target';
import type { TargetState } from '../../probes/src/target-state';
import type { Change } from './change-feed';

/**
 * The change a prober announces when a standalone target changes state: its console card as the
 * database will show it once the result is flushed (same rounding, reason only while down).
 * Members are not announced here: their system's commit names the system.
 */
export function targetChange(t: ProbeTarget, s: TargetState, at: number): Change | undefined {
  if (t.system !== undefined) return undefined;
  const r = s.lastResult;
  return {
    kind: 'target',
    name: t.key,
    at,
    card: {
      name: t.key,
      kind: t.probe.kind,
      state: s.status,
      since: s.since ? new Date(s.since).toISOString() : null,
      latency_ms: r ? Math.round(r.durationMs * 10) / 10 : null,
      ...(s.status === 'down' && r?.reason ? { reason: r.reason } : {}),
    },
  };
}
