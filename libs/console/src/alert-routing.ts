import type { Route } from '../../alerting/src/route';
import { matchRoutes } from '../../alerting/src/route';
import { formatMatcher } from '../../config/src/matchers';

/** Where an alert goes and why: one entry per route it is delivered through. */
export interface RoutingExplained {
  receiver: string;
  route: string;
  /** The matchers along the path from the root that this alert satisfies ("default route" for the root). */
  why: string[];
  group_by: string[] | '...';
  repeat_interval_ms: number;
  escalate?: { after_ms: number; receiver: string };
}

/**
 * The routing tree walked exactly as delivery walks it (matchRoutes), with the matchers that led
 * to each route, for a person asking "who gets this, and why".
 */
export function explainRouting(root: Route | undefined, routesById: Map<string, Route>, labels: Record<string, string>): RoutingExplained[] {
  if (!root) return [];
  return matchRoutes(root, labels).map((r) => {
    const why: string[] = [];
    const parts = r.id.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const step = routesById.get(parts.slice(0, i).join('.'));
      if (step?.matchers.length) why.push(step.matchers.map(formatMatcher).join(', '));
    }
    return {
      receiver: r.receiver,
      route: r.id,
      why: why.length ? why : ['default route (no child route matched)'],
      group_by: r.groupBy,
      repeat_interval_ms: r.repeatIntervalMs,
      escalate: r.escalate && { after_ms: r.escalate.afterMs, receiver: r.escalate.receiver },
    };
  });
}
