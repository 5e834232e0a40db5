import type { NotificationPayload } from '../../../notify/src/notification';
import type { EscalationItem } from '../../../oncall/src/escalation';
import { personReceiver, type RoutingConfig } from '../routing-config';
import { allAcknowledged, type DispatchIncident, type GroupMember } from './member';
import { outboxRows, type OutboxRow } from './outbox';
import { buildPayload, escalationId } from './payload';

export interface PolicyPageInput {
  key: string;
  policy: string;
  groupLabels: Record<string, string>;
  members: GroupMember[];
  suppressed: (a: GroupMember) => boolean;
  incidents: DispatchIncident[];
  firstFiringAt: number;
  due: EscalationItem[];
  routing: Pick<RoutingConfig, 'externalUrl' | 'ackSecret' | 'ackTtlMs' | 'channels'>;
  now: number;
  issuedAt: number;
}

export interface PolicyPage {
  rows: OutboxRow[];
  /** One line per item for the incident timeline and the audit log. */
  steps: { item: string; message: string; receiver?: string; channels: string[] }[];
  /** Everything acknowledged (or nothing pages): the policy stops here. */
  stopped: boolean;
}

const round = (i: EscalationItem) => `step ${i.step + 1}${i.cycle ? `, round ${i.cycle + 1}` : ''}`;

/** The pages of one group's due policy items; ids from the item, so a retry or a replica pages once. */
export function planPolicyPages(p: PolicyPageInput): PolicyPage {
  const paging = p.members.filter((a) => !p.suppressed(a));
  if (!paging.length || allAcknowledged(paging, p.incidents)) return { rows: [], steps: [], stopped: true };
  const rows: OutboxRow[] = [];
  const steps: PolicyPage['steps'] = [];
  for (const item of p.due) {
    if (item.nobody) {
      steps.push({ item: item.id, message: `escalation ${p.policy} ${round(item)}: nobody to page (${item.notify.schedule ? `schedule ${item.notify.schedule} has nobody on call` : `person ${item.person} is not defined`})`, channels: [] });
      continue;
    }
    const receiver = item.notify.receiver ?? personReceiver(item.person!);
    const payload: NotificationPayload = buildPayload({
      id: `${escalationId(p.key, p.firstFiringAt)}-${item.id}`,
      key: p.key,
      receiver,
      groupLabels: p.groupLabels,
      firing: paging,
      resolved: [],
      incidents: p.incidents,
      routing: p.routing,
      issuedAt: p.issuedAt,
    });
    payload.escalation = { from: p.policy, unacknowledgedForMs: p.now - p.firstFiringAt };
    // A person is paged by the methods of this item that Nines can deliver.
    const wanted = item.via ? new Set<string>(item.via) : undefined;
    const channels = new Map(p.routing.channels);
    if (wanted) channels.set(receiver, (p.routing.channels.get(receiver) ?? []).filter((c) => wanted.has(c)));
    const mine = outboxRows(payload, channels);
    rows.push(...mine);
    const via = mine.map((r) => r.channel);
    const unreachable = item.via?.filter((m) => !via.includes(m as never)) ?? [];
    const whom = item.notify.receiver ? `receiver ${receiver}` : `${item.person}${item.notify.schedule ? ` (on call for ${item.notify.schedule})` : ''}`;
    steps.push({
      item: item.id,
      receiver,
      channels: via,
      message: `escalation ${p.policy} ${round(item)}: paged ${whom}${via.length ? ` by ${via.join(', ')}` : ' — no method Nines can deliver'}${unreachable.length && via.length ? ` (not by ${unreachable.join(', ')}: no receiver for it)` : ''}`,
    });
  }
  return { rows, steps, stopped: false };
}
