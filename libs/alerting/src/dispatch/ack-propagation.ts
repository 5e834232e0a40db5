import { createHash } from 'node:crypto';
import type { Channel, NotificationPayload } from '../../../notify/src/notification';
import type { RoutingConfig } from '../routing-config';
import { allAcknowledged, type DispatchIncident, type GroupMember } from './member';
import type { OutboxRow } from './outbox';
import { buildPayload } from './payload';

/** The providers that keep an alert open per dedup key, and so can be told it was acknowledged. */
export const ACK_CHANNELS: readonly Channel[] = ['pagerduty', 'opsgenie'];

export interface AckPropagationInput {
  key: string;
  groupLabels: Record<string, string>;
  /** The (receiver, channel) pairs a firing notification of this group went to. */
  triggered: { receiver: string; channel: Channel }[];
  members: GroupMember[];
  incidents: (DispatchIncident & { acknowledgedBy?: string })[];
  routing: Pick<RoutingConfig, 'externalUrl' | 'ackSecret' | 'ackTtlMs'>;
  issuedAt: number;
}

/**
 * Once every firing member's incident is acknowledged in Nines, one `acknowledged` row per
 * PagerDuty or Opsgenie (receiver, channel) the group triggered: PagerDuty gets `acknowledge`
 * with the group's dedup_key, Opsgenie an acknowledge by alias. The id is derived from the group
 * and its incidents, so every replica and every later pass writes the same rows (inserted once).
 */
export function planAckPropagation(p: AckPropagationInput): OutboxRow[] {
  if (!p.members.length || !allAcknowledged(p.members, p.incidents)) return [];
  const ids = [...new Set(p.members.map((a) => a.incidentId!))].sort((a, b) => a - b);
  const base = `a-${createHash('sha256').update(`${p.key}@${ids.join(',')}`).digest('hex').slice(0, 24)}`;
  const by = [...new Set(p.incidents.filter((i) => ids.includes(i.id)).map((i) => i.acknowledgedBy).filter((x): x is string => !!x))].join(', ');
  const seen = new Set<string>();
  return p.triggered
    .filter((t) => ACK_CHANNELS.includes(t.channel))
    .filter((t) => !seen.has(`${t.receiver}/${t.channel}`) && !!seen.add(`${t.receiver}/${t.channel}`))
    .map((t) => {
      const id = `${base}-${t.receiver}-${t.channel}`;
      const payload: NotificationPayload = {
        ...buildPayload({ id, key: p.key, receiver: t.receiver, groupLabels: p.groupLabels, firing: p.members, resolved: [], incidents: p.incidents, routing: p.routing, issuedAt: p.issuedAt }),
        kind: 'acknowledged',
        ...(by ? { acknowledgedBy: by } : {}),
      };
      return { id, channel: t.channel, payload };
    });
}
