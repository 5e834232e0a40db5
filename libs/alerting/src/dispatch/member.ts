import type { AlertState, Labels, AlertSpec } from '../alert';

/**
 * An alert as the dispatch stages see it: a member of a group, with what was last notified about
 * it there. Times are epoch ms; the orchestrator converts the rows.
 */
export interface GroupMember {
  fingerprint: string;
  labels: Labels;
  annotations: AlertSpec['annotations'];
  state: AlertState;
  activeAt?: number;
  firedAt?: number;
  resolvedAt?: number;
  incidentId?: number;
  flapping: boolean;
  flips: number[];
  /** 'firing' once a notification reported the member firing in this group. */
  notifiedState?: string;
}

/** The incidents of a flush's members: their root cause (impact inhibition) and acknowledgement (repeats, links). */
export interface DispatchIncident {
  id: number;
  rootSystem: string;
  acknowledged: boolean;
}

/** Every member has an incident and each of those incidents is acknowledged (nothing left to page about). */
export function allAcknowledged(members: GroupMember[], incidents: DispatchIncident[]): boolean {
  return members.every((a) => a.incidentId !== undefined && !!incidents.find((i) => i.id === a.incidentId)?.acknowledged);
}
