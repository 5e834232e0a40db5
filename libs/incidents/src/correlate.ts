import type { NinesConfig } from '../../config/src/config';
import type { TopologyEvent } from '../../topology/src/events';

/**
 * Which incident an event belongs to. Events of a system with an open incident join it; a
 * system failing while something it depends on (directly or not) has an open incident joins
 * that incident as impact; a dependency failing under an open incident of its dependants joins
 * it and becomes the root cause. Only bad events open incidents.
 */
export interface OpenIncident {
  id: number;
  systems: string[];
  rootSystem: string;
  state: 'open' | 'resolved';
  resolvedAt?: number;
}

export interface SystemGraph {
  dependsOn: Map<string, string[]>;
  layer: Map<string, string>;
}

/** The configured systems' dependencies and layers, which decide an incident's root cause. */
export function systemGraph(c: Pick<NinesConfig, 'systems'>): SystemGraph {
  return { dependsOn: new Map(c.systems.map((s) => [s.name, s.dependsOn])), layer: new Map(c.systems.map((s) => [s.name, s.layer])) };
}

export type Decision =
  | { action: 'join'; incidentId: number; as: 'cause' | 'impact'; newRoot?: string }
  | { action: 'reopen'; incidentId: number }
  | { action: 'open' }
  | { action: 'none' };

/** Bottom of the stack first: a failure lower down explains failures above it. */
export const LAYER_RANK: Record<string, number> = {
  network: 0,
  storage: 1,
  coordination: 2,
  registry: 3,
  queue: 4,
  cache: 5,
  search: 6,
  service: 7,
  gateway: 8,
  proxy: 9,
  access: 10,
};

export function transitiveDeps(system: string, g: SystemGraph): Set<string> {
  const out = new Set<string>();
  const stack = [...(g.dependsOn.get(system) ?? [])];
  while (stack.length) {
    const s = stack.pop()!;
    if (out.has(s)) continue;
    out.add(s);
    stack.push(...(g.dependsOn.get(s) ?? []));
  }
  return out;
}

/** The lower of two systems: a dependency beats its dependant, then the lower layer wins. */
export function lowerOf(a: string, b: string, g: SystemGraph): string {
  if (transitiveDeps(b, g).has(a)) return a;
  if (transitiveDeps(a, g).has(b)) return b;
  const ra = LAYER_RANK[g.layer.get(a) ?? ''] ?? 99;
  const rb = LAYER_RANK[g.layer.get(b) ?? ''] ?? 99;
  return rb < ra ? b : a;
}

export function decide(event: TopologyEvent, incidents: OpenIncident[], g: SystemGraph, reopenWindowMs: number): Decision {
  const open = incidents.filter((i) => i.state === 'open');
  const own = open.find((i) => i.systems.includes(event.system));
  if (own) return { action: 'join', incidentId: own.id, as: own.rootSystem === event.system ? 'cause' : 'impact' };
  if (!event.bad) return { action: 'none' };
  const deps = transitiveDeps(event.system, g);
  const upstream = open.find((i) => i.systems.some((s) => deps.has(s)));
  if (upstream) return { action: 'join', incidentId: upstream.id, as: 'impact' };
  const downstream = open.find((i) => i.systems.some((s) => transitiveDeps(s, g).has(event.system)));
  if (downstream) {
    const root = lowerOf(event.system, downstream.rootSystem, g);
    return { action: 'join', incidentId: downstream.id, as: root === event.system ? 'cause' : 'impact', newRoot: root !== downstream.rootSystem ? root : undefined };
  }
  // The same system failing again right after its incident resolved is the same story (flapping).
  const recent = incidents
    .filter((i) => i.state === 'resolved' && i.systems.includes(event.system) && i.resolvedAt !== undefined && event.at - i.resolvedAt <= reopenWindowMs)
    .sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0))[0];
  if (recent) return { action: 'reopen', incidentId: recent.id };
  return { action: 'open' };
}
