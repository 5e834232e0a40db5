import type { NotificationPayload } from '../../../notify/src/notification';
import type { Route } from '../route';
import type { RoutingConfig } from '../routing-config';
import { dedup } from './dedup';
import { selectMembers } from './grouping';
import { allAcknowledged, type DispatchIncident, type GroupMember } from './member';
import { outboxRows, type OutboxRow } from './outbox';
import { buildPayload, firstAlertAt, notificationId } from './payload';

/** A group as stored, read under its row lock by the orchestrator. */
export interface GroupState {
  key: string;
  receiver: string;
  groupLabels: Record<string, string>;
  lastFlushAt?: number;
  lastHash?: string;
}

export interface FlushInput {
  group: GroupState;
  route: Route;
  members: GroupMember[];
  /** From the mute stage: silenced, inhibited or impact. */
  suppressed: (a: GroupMember) => boolean;
  incidents: DispatchIncident[];
  routing: Pick<RoutingConfig, 'externalUrl' | 'ackSecret' | 'ackTtlMs' | 'channels' | 'recipients'>;
  now: number;
  issuedAt: number;
}

interface PlanBase {
  hash: string;
  nextFlushAt?: number;
  /** Fingerprints that leave the group after this flush. */
  finished: string[];
}

export type FlushPlan =
  | (PlanBase & { send: false; rememberHash: boolean })
  | (PlanBase & {
      send: true;
      payload: NotificationPayload;
      rows: OutboxRow[];
      firstAlertAt: number;
      /** Fingerprints now reported firing in this group (their resolution is news later). */
      notifiedFiring: string[];
      /** The group has paged and is firing: escalation counts from its first such flush. */
      firing: boolean;
    });

/**
 * One group flush, decided without I/O: select members (after silences and inhibition), dedup
 * against the group's last notification, and — when something is news or a repeat is due — the
 * payload and its outbox rows. The orchestrator writes the plan in the group's transaction.
 */
export function planFlush(f: FlushInput): FlushPlan {
  const { firing, resolved, finished } = selectMembers(f.members, f.route, f.suppressed);
  const d = dedup({
    firing,
    resolved,
    anyFiring: f.members.some((a) => a.state === 'firing'),
    last: { flushAt: f.group.lastFlushAt, hash: f.group.lastHash },
    route: f.route,
    acknowledged: firing.length > 0 && allAcknowledged(firing, f.incidents),
    now: f.now,
  });
  const base = { hash: d.hash, nextFlushAt: d.nextFlushAt, finished: finished.map((a) => a.fingerprint) };
  if (!d.send) return { ...base, send: false, rememberHash: d.rememberHash };
  const payload = buildPayload({
    id: notificationId(f.group.key, f.now),
    key: f.group.key,
    receiver: f.group.receiver,
    groupLabels: f.group.groupLabels,
    firing,
    resolved,
    incidents: f.incidents,
    routing: f.routing,
    issuedAt: f.issuedAt,
  });
  return {
    ...base,
    send: true,
    payload,
    rows: outboxRows(payload, f.routing.channels, f.routing.recipients),
    firstAlertAt: firstAlertAt(firing, resolved, f.now),
    notifiedFiring: firing.map((a) => a.fingerprint),
    firing: firing.length > 0,
  };
}
