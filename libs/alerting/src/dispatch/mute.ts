import { isSilenced, type Silence } from '../../../silences/src/silence';
import { inhibitedBy, type FiringAlert, type InhibitRule } from '../inhibit';
import type { Route } from '../route';
import { isMuted, type TimeIntervalSpec } from '../time-intervals';
import type { DispatchIncident, GroupMember } from './member';

/**
 * The mute time interval a route is inside now, if any: it sends nothing then, and its groups look
 * again a group_interval later.
 */
export function routeMuted(now: number, route: Pick<Route, 'muteTimeIntervals'>, intervals: Map<string, TimeIntervalSpec[]>): string | undefined {
  return isMuted(now, route.muteTimeIntervals, intervals);
}

export interface SuppressionInputs {
  /** Silences in force now. */
  silences: Pick<Silence, 'matchers'>[];
  /** Every firing alert, whatever its group: the sources of inhibition. */
  firing: FiringAlert[];
  inhibit: InhibitRule[];
  incidents: DispatchIncident[];
}

/**
 * Whether a member pages nobody now: silenced, inhibited by another firing alert, or impact of an
 * incident whose root cause is another system. It still fires; only its notification is held.
 */
export function suppressor(inputs: SuppressionInputs): (a: GroupMember) => boolean {
  const rootOf = (id: number) => inputs.incidents.find((i) => i.id === id)?.rootSystem;
  return (a) =>
    isSilenced(inputs.silences, a.labels) || !!inhibitedBy({ fingerprint: a.fingerprint, labels: a.labels, incidentId: a.incidentId }, inputs.firing, inputs.inhibit, rootOf);
}
