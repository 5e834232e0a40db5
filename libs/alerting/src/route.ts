import { parseDuration } from '../../common/src/duration';
import type { RouteInput } from '../../config/src/schema';
import type { Matcher } from '../../config/src/matchers';
import type { Labels } from './alert';
import { compile, matchesAll } from './matchers';

/**
 * The routing tree with Alertmanager's semantics: children inherit their parent's settings; an
 * alert goes down the first matching child (or several, with `continue`), and to the deepest
 * matching routes; the root catches what no child takes.
 */
export interface Route {
  id: string; // path like "0.1.2": stable across reloads of the same tree shape
  receiver: string;
  matchers: Matcher[];
  continue: boolean;
  groupBy: string[] | '...';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  sendResolved: boolean;
  muteTimeIntervals: string[];
  escalate?: { afterMs: number; receiver: string };
  /** An on-call escalation policy paged beside the receiver (inherited by child routes). */
  escalationPolicy?: string;
  routes: Route[];
}

/**
 * Alertmanager's defaults except group_wait: Alertmanager waits 30s because rules evaluated at
 * different times must gather before the first page. Nines evaluates an alert as its observation
 * arrives, confirms failures by probing again at once, and correlates a failure's alerts into an
 * incident itself, so the first page waits only 1s (for alerts of the same observation and the
 * same topology change); later alerts of the group follow at group_interval, as in Alertmanager.
 */
const DEFAULTS = { groupWaitMs: 1_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000 };

export function buildRoute(input: RouteInput, parent?: Route, id = '0'): Route {
  const ms = (s: string | undefined) => (s === undefined ? undefined : parseDuration(s));
  const groupBy = input.group_by ? (input.group_by.includes('...') ? '...' : input.group_by) : (parent?.groupBy ?? []);
  const r: Route = {
    id,
    receiver: input.receiver ?? parent?.receiver ?? '',
    matchers: compile(input.matchers),
    continue: input.continue ?? false,
    groupBy,
    groupWaitMs: ms(input.group_wait) ?? parent?.groupWaitMs ?? DEFAULTS.groupWaitMs,
    groupIntervalMs: ms(input.group_interval) ?? parent?.groupIntervalMs ?? DEFAULTS.groupIntervalMs,
    repeatIntervalMs: ms(input.repeat_interval) ?? parent?.repeatIntervalMs ?? DEFAULTS.repeatIntervalMs,
    sendResolved: input.send_resolved ?? parent?.sendResolved ?? true,
    // As in Alertmanager, mute intervals belong to the route that names them: children do not inherit them.
    muteTimeIntervals: input.mute_time_intervals ?? [],
    escalate: input.escalate ? { afterMs: ms(input.escalate.after)!, receiver: input.escalate.receiver } : parent?.escalate,
    escalationPolicy: input.escalation_policy ?? parent?.escalationPolicy,
    routes: [],
  };
  r.routes = (input.routes ?? []).map((c, i) => buildRoute(c, r, `${id}.${i}`));
  return r;
}

/** The routes an alert is delivered through. */
export function matchRoutes(root: Route, labels: Labels): Route[] {
  const walk = (r: Route): Route[] => {
    if (!matchesAll(r.matchers, labels)) return [];
    const out: Route[] = [];
    for (const child of r.routes) {
      const m = walk(child);
      if (m.length) {
        out.push(...m);
        if (!child.continue) break;
      }
    }
    return out.length ? out : [r];
  };
  return walk(root);
}

/** Group key: the route plus the values of its group_by labels ("..." groups by every label). */
export function groupKey(route: Route, labels: Labels): { key: string; groupLabels: Labels } {
  const names = route.groupBy === '...' ? Object.keys(labels).sort() : route.groupBy;
  const groupLabels: Labels = {};
  for (const n of names) groupLabels[n] = labels[n] ?? '';
  return { key: `${route.id}:${JSON.stringify(groupLabels)}`, groupLabels };
}
