import type { Labels, Transition } from '../alert';
import { groupKey, matchRoutes, type Route } from '../route';
import type { GroupMember } from './member';

/** While flapping, flips are held: only entering and leaving the flapping state notify. */
export function notifies(transitions: Transition[], flapping: boolean): boolean {
  return transitions.some((t) => t === 'flapping' || t === 'stable' || ((t === 'firing' || t === 'resolved') && !flapping));
}

export interface GroupJoin {
  key: string;
  route: Route;
  groupLabels: Labels;
  /** When a new group first flushes (group_wait); a group that flushed before waits group_interval instead. */
  firstFlushAt: number;
}

/** The groups an alert with these labels belongs to: one per matching route and group_by values. */
export function groupsToJoin(root: Route | undefined, labels: Labels, now: number): GroupJoin[] {
  if (!root) return [];
  return matchRoutes(root, labels).map((route) => {
    const { key, groupLabels } = groupKey(route, labels);
    return { key, route, groupLabels, firstFlushAt: now + route.groupWaitMs };
  });
}

export interface FlushSelection {
  /** Firing and neither silenced nor inhibited: what the notification reports as firing. */
  firing: GroupMember[];
  /** Resolved since a notification reported them firing (only when the route sends resolved). */
  resolved: GroupMember[];
  /** No longer firing or pending: they leave the group once this flush is done. */
  finished: GroupMember[];
}

export function selectMembers(members: GroupMember[], route: Pick<Route, 'sendResolved'>, suppressed: (a: GroupMember) => boolean): FlushSelection {
  return {
    firing: members.filter((a) => a.state === 'firing' && !suppressed(a)),
    resolved: route.sendResolved ? members.filter((a) => (a.state === 'resolved' || a.state === 'inactive') && a.notifiedState === 'firing') : [],
    finished: members.filter((a) => a.state !== 'firing' && a.state !== 'pending'),
  };
}
