import { toDefinition, type RawSlo, type SloDefinition } from './definition';
import type { ExclusionInputs } from './exclusions';
import type { Registry, RegistryTarget } from './selection';

/** Builders for the scenario specs: an SLO, a registry of targets, no exclusions. */
export function slo(over: Partial<RawSlo> = {}): SloDefinition {
  return toDefinition(
    {
      name: 'checkout',
      selector: { target: 'web' },
      sli: { kind: 'availability' },
      objective: 99.9,
      window: '30d',
      timezone: 'UTC',
      exclude: { drills: true, maintenance: true, silenced: false },
      ...over,
    },
    'config',
  );
}

export function target(id: number, key: string, over: Partial<RegistryTarget> = {}): RegistryTarget {
  return { id, key, system: null, member: null, isEndpoint: false, intervalMs: 60_000, labels: {}, ...over };
}

export function registry(targets: RegistryTarget[], systems: Record<string, number> = {}): Registry {
  return { targets, systemSeries: new Map(Object.entries(systems)) };
}

export const noExclusions: ExclusionInputs = { drills: [], silences: [], timeIntervals: new Map() };
