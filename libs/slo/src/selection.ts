import type { SloSelector } from './definition';
import { MINUTE } from './window';

/** A probe target as the registry (targets table) knows it. */
export interface RegistryTarget {
  id: number;
  key: string;
  system: string | null;
  member: string | null;
  isEndpoint: boolean;
  intervalMs: number;
  labels: Record<string, string>;
}

export interface Registry {
  targets: RegistryTarget[];
  /** System name → id of its "any member" series (stored as −id in the rollups). */
  systemSeries: Map<string, number>;
}

/**
 * What an SLO counts. A probe series is one target: its events are probes. A system series is a
 * system without an endpoint taken as a whole: its events are minutes, good when any member
 * answered in that minute, bad when members were probed and none answered.
 */
export interface Series {
  id: number;
  key: string;
  unit: 'probe' | 'minute';
  /** Expected events per millisecond (1 / interval for probes, 1 / minute for systems). */
  perMs: number;
}

export type PromSelector = { kind: 'targets'; keys: string[] } | { kind: 'system-any'; system: string };

export interface Selection {
  series: Series[];
  /** Systems the selection belongs to (their drills are excluded). */
  systems: string[];
  unit: 'probe' | 'minute';
  /** Expected events per ms over all series: converts events to time ("13m of downtime"). */
  perMs: number;
  prom: PromSelector;
  /** Labels the SLO's alerts carry to say what is measured (system, target). */
  alertLabels: Record<string, string>;
}

const probeSeries = (t: RegistryTarget): Series => ({ id: t.id, key: t.key, unit: 'probe', perMs: 1 / t.intervalMs });

export function selectSeries(selector: SloSelector, reg: Registry): Selection {
  const finish = (series: Series[], systems: string[], prom: PromSelector, alertLabels: Record<string, string>): Selection => ({
    series,
    systems: [...new Set(systems)].sort(),
    unit: series[0]?.unit ?? 'probe',
    perMs: series.reduce((n, s) => n + s.perMs, 0),
    prom,
    alertLabels,
  });
  if (selector.target !== undefined) {
    const t = reg.targets.find((x) => x.key === selector.target);
    return finish(t ? [probeSeries(t)] : [], t?.system ? [t.system] : [], { kind: 'targets', keys: [selector.target] }, { target: selector.target, ...(t?.system ? { system: t.system } : {}) });
  }
  if (selector.system !== undefined) {
    const name = selector.system;
    const endpoint = reg.targets.find((x) => x.system === name && x.isEndpoint);
    if (endpoint) return finish([probeSeries(endpoint)], [name], { kind: 'targets', keys: [endpoint.key] }, { system: name });
    const id = reg.systemSeries.get(name);
    const hasMembers = reg.targets.some((x) => x.system === name && !x.isEndpoint);
    const series: Series[] = id !== undefined && hasMembers ? [{ id: -id, key: `${name}/@members`, unit: 'minute', perMs: 1 / MINUTE }] : [];
    return finish(series, [name], { kind: 'system-any', system: name }, { system: name });
  }
  const want = Object.entries(selector.labels ?? {});
  const matched = reg.targets.filter((t) => want.every(([k, v]) => t.labels[k] === v)).sort((a, b) => a.key.localeCompare(b.key));
  return finish(
    matched.map(probeSeries),
    matched.map((t) => t.system).filter((s): s is string => !!s),
    { kind: 'targets', keys: matched.map((t) => t.key) },
    {},
  );
}
