import { createHash } from 'node:crypto';
import type { NotificationPayload, NotifiedAlert } from './notification';

/**
 * What every chat, push and phone channel says about a notification, in plain words, before each
 * provider formats it: the headline, the worst severity, and the key that ties a group's trigger,
 * acknowledgement and resolution together at the providers that deduplicate.
 */

const SEVERITY_ORDER = ['page', 'critical', 'warning', 'info'];

/** The worst severity among the firing alerts (all alerts when none fires). */
export function worstSeverity(p: NotificationPayload): string {
  const pool = p.alerts.some((a) => a.status === 'firing') ? p.alerts.filter((a) => a.status === 'firing') : p.alerts;
  const sevs = pool.map((a) => a.labels.severity ?? 'warning');
  return sevs.sort((a, b) => rank(a) - rank(b))[0] ?? 'warning';
}

function rank(s: string): number {
  const i = SEVERITY_ORDER.indexOf(s);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

export function firing(p: NotificationPayload): NotifiedAlert[] {
  return p.alerts.filter((a) => a.status === 'firing');
}

/** `[FIRING:2] orders-db: primary pg1 unreachable (and 1 more)` or `[RESOLVED] …`. */
export function headline(p: NotificationPayload): string {
  const f = firing(p);
  const lead = p.status === 'firing' ? f[0] : p.alerts[0];
  const count = p.status === 'firing' ? f.length : p.alerts.length;
  const tag = p.status === 'firing' ? `[FIRING:${f.length}]` : '[RESOLVED]';
  const more = count > 1 ? ` (and ${count - 1} more)` : '';
  const esc = p.escalation ? ` (escalated: unacknowledged by ${p.escalation.from})` : '';
  return `${tag} ${lead?.annotations.summary ?? p.groupKey}${more}${esc}`;
}

/** One line per alert: name, state and summary. */
export function alertLine(a: NotifiedAlert): string {
  const flap = a.flapping ? ` (flapping ×${a.flapCount ?? 0})` : '';
  return `${a.labels.alertname ?? 'alert'}${a.status === 'resolved' ? ' (resolved)' : ''}: ${a.annotations.summary}${flap}`;
}

/** Where the problem is, as a provider's `source`/`entity`: the system, else the target, else Nines. */
export function sourceOf(p: NotificationPayload): string {
  const l = p.commonLabels;
  return l.system ?? l.target ?? l.instance ?? p.alerts[0]?.labels.system ?? p.alerts[0]?.labels.target ?? 'nines';
}

/**
 * The provider-side identity of an alert group (PagerDuty dedup_key, Opsgenie alias): stable for
 * the group, so the resolution and the acknowledgement find the alert the trigger opened.
 */
export function groupDedupKey(p: NotificationPayload): string {
  return `nines-${createHash('sha256').update(p.groupKey).digest('hex').slice(0, 40)}`;
}

/** Cuts `s` to `max` characters, marking the cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}
