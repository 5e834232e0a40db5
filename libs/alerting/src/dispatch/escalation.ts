import type { NotificationPayload } from '../../../notify/src/notification';
import type { Route } from '../route';
import type { RoutingConfig } from '../routing-config';
import { allAcknowledged, type DispatchIncident, type GroupMember } from './member';
import { outboxRows, type OutboxRow } from './outbox';
import { buildPayload, escalationId } from './payload';

/** The route escalates, and the group has fired unacknowledged for its delay. */
export function escalationDue(route: Route | undefined, firstFiringAt: number, now: number): route is Route & { escalate: NonNullable<Route['escalate']> } {
  return !!route?.escalate && now - firstFiringAt >= route.escalate.afterMs;
}

export interface EscalationInput {
  key: string;
  /** The receiver the group pages normally. */
  from: string;
  route: Route & { escalate: NonNullable<Route['escalate']> };
  groupLabels: Record<string, string>;
  /** The group's firing members. */
  members: GroupMember[];
  suppressed: (a: GroupMember) => boolean;
  incidents: DispatchIncident[];
  firstFiringAt: number;
  routing: Pick<RoutingConfig, 'externalUrl' | 'ackSecret' | 'ackTtlMs' | 'channels' | 'recipients'>;
  now: number;
  issuedAt: number;
}

/** The one notification to the next receiver, or nothing when no member pages (silenced, inhibited) or all are acknowledged. */
export function planEscalation(e: EscalationInput): { payload: NotificationPayload; rows: OutboxRow[] } | undefined {
  // A silenced or inhibited alert pages nobody, the next receiver included.
  const paging = e.members.filter((a) => !e.suppressed(a));
  if (!paging.length || allAcknowledged(paging, e.incidents)) return undefined;
  const payload = buildPayload({
    id: escalationId(e.key, e.firstFiringAt),
    key: e.key,
    receiver: e.route.escalate.receiver,
    groupLabels: e.groupLabels,
    firing: paging,
    resolved: [],
    incidents: e.incidents,
    routing: e.routing,
    issuedAt: e.issuedAt,
  });
  payload.escalation = { from: e.from, unacknowledgedForMs: e.now - e.firstFiringAt };
  return { payload, rows: outboxRows(payload, e.routing.channels, e.routing.recipients) };
}
