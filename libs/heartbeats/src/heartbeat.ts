import type { AlertSpec } from '../../alerting/src/alert';
import { formatDuration } from '../../common/src/duration';

/**
 * Push monitors: a job that should check in every `period` (a backup, a cron, a batch) pushes to
 * its URL; with no push for `period + grace`, HeartbeatMissing fires, and resolves at the next
 * push. A heartbeat never pushed counts from when it was first configured.
 */
export interface HeartbeatDef {
  name: string;
  periodMs: number;
  graceMs: number;
  labels: Record<string, string>;
}

export interface HeartbeatState {
  lastPushAt?: number;
  /** When Nines first knew the heartbeat (the clock for one that never pushed). */
  since: number;
}

export function dueAt(def: HeartbeatDef, s: HeartbeatState): number {
  return (s.lastPushAt ?? s.since) + def.periodMs + def.graceMs;
}

/** The alert of one heartbeat as of `now`: HeartbeatMissing while overdue, nothing otherwise. */
export function heartbeatAlerts(def: HeartbeatDef, s: HeartbeatState, now: number): AlertSpec[] {
  const due = dueAt(def, s);
  if (now < due) return [];
  const silentFor = now - (s.lastPushAt ?? s.since);
  return [
    {
      labels: { ...def.labels, alertname: 'HeartbeatMissing', heartbeat: def.name, severity: def.labels.severity ?? 'critical' },
      annotations: {
        summary: s.lastPushAt === undefined ? `${def.name}: no push since Nines began watching it ${formatDuration(silentFor)} ago (expected every ${formatDuration(def.periodMs)})` : `${def.name}: no push for ${formatDuration(silentFor)} (expected every ${formatDuration(def.periodMs)}, grace ${formatDuration(def.graceMs)})`,
        reason: 'no push',
      },
      forMs: 0,
    },
  ];
}
