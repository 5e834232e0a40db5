import { createHash } from 'node:crypto';
import { toDate } from '../../../common/src/time';
import type { NotificationPayload, NotifiedAlert } from '../../../notify/src/notification';
import { signAck } from '../ack-token';
import type { RoutingConfig } from '../routing-config';
import type { DispatchIncident, GroupMember } from './member';

/** A flush's notification id: derived from the group and the flush time, so a retried flush writes the same row. */
export function notificationId(key: string, now: number): string {
  return `n-${createHash('sha256').update(`${key}@${now}`).digest('hex').slice(0, 24)}`;
}

/** An escalation's id: one per firing episode of the group. */
export function escalationId(key: string, firstFiringAt: number): string {
  return `e-${createHash('sha256').update(`${key}@${firstFiringAt}`).digest('hex').slice(0, 24)}`;
}

/** When the oldest change a notification reports happened (time-to-notify is measured from it). */
export function firstAlertAt(firing: GroupMember[], resolved: GroupMember[], now: number): number {
  return Math.min(...[...firing, ...resolved].map((a) => (a.state === 'firing' ? a.firedAt : a.resolvedAt) ?? now));
}

export interface PayloadInput {
  id: string;
  key: string;
  receiver: string;
  groupLabels: Record<string, string>;
  firing: GroupMember[];
  resolved: GroupMember[];
  incidents: DispatchIncident[];
  routing: Pick<RoutingConfig, 'externalUrl' | 'ackSecret' | 'ackTtlMs'>;
  /** When the notification is written: ack links expire ackTtlMs after it. */
  issuedAt: number;
}

/** The notification of one flush, Alertmanager's webhook shape plus incident and signed ack links. */
export function buildPayload(p: PayloadInput): NotificationPayload {
  const url = p.routing.externalUrl;
  const toAlert = (a: GroupMember, status: 'firing' | 'resolved'): NotifiedAlert => ({
    fingerprint: a.fingerprint,
    status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: toDate(a.firedAt ?? a.activeAt ?? p.issuedAt).toISOString(),
    endsAt: status === 'resolved' ? toDate(a.resolvedAt ?? p.issuedAt).toISOString() : undefined,
    incidentId: a.incidentId,
    incidentUrl: a.incidentId === undefined ? undefined : `${url}/incidents/${a.incidentId}`,
    flapping: a.flapping || undefined,
    flapCount: a.flapping ? a.flips.length : undefined,
  });
  const alerts = [...p.firing.map((a) => toAlert(a, 'firing')), ...p.resolved.map((a) => toAlert(a, 'resolved'))];
  const common = (pick: (a: NotifiedAlert) => Record<string, string | undefined>) => {
    const [first, ...rest] = alerts.map(pick);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(first ?? {})) if (v !== undefined && rest.every((r) => r[k] === v)) out[k] = v;
    return out;
  };
  // The links point at an incident still waiting for an acknowledgement, else at any incident of the group.
  const incidentId =
    alerts.find((a) => a.incidentId !== undefined && !p.incidents.find((i) => i.id === a.incidentId)?.acknowledged)?.incidentId ??
    alerts.find((a) => a.incidentId !== undefined)?.incidentId;
  return {
    id: p.id,
    kind: 'alerts',
    receiver: p.receiver,
    status: p.firing.length ? 'firing' : 'resolved',
    groupKey: p.key,
    groupLabels: p.groupLabels,
    commonLabels: common((a) => a.labels),
    commonAnnotations: common((a) => ({ summary: a.annotations.summary, description: a.annotations.description })),
    alerts,
    externalUrl: url,
    incidentId,
    incidentUrl: incidentId !== undefined ? `${url}/incidents/${incidentId}` : undefined,
    ackUrl: incidentId !== undefined && p.routing.ackSecret ? `${url}/api/v1/ack/${signAck(p.routing.ackSecret, incidentId, p.issuedAt + p.routing.ackTtlMs)}` : undefined,
  };
}
