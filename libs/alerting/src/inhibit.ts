import type { Matcher } from '../../config/src/matchers';
import type { Labels } from './alert';
import { matchesAll } from './matchers';

export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export interface FiringAlert {
  fingerprint: string;
  labels: Labels;
  incidentId?: number;
}

/**
 * Why an alert should not page: inhibited by another firing alert (Alertmanager's rules), or
 * impact of an incident whose root cause is another system (that system pages, not this one).
 */
export function inhibitedBy(target: FiringAlert, firing: FiringAlert[], rules: InhibitRule[], incidentRoot?: (id: number) => string | undefined): string | undefined {
  for (const rule of rules) {
    if (!matchesAll(rule.target, target.labels)) continue;
    // Alertmanager: when the target matches both sides, sources that also match both sides do
    // not count, or two such alerts (two members down) would mute each other and nobody is paged.
    const twoSided = matchesAll(rule.source, target.labels);
    for (const src of firing) {
      if (src.fingerprint === target.fingerprint) continue;
      if (!matchesAll(rule.source, src.labels)) continue;
      if (twoSided && matchesAll(rule.target, src.labels)) continue;
      if (rule.equal.every((l) => (src.labels[l] ?? '') === (target.labels[l] ?? ''))) return `inhibited by ${src.labels.alertname ?? src.fingerprint}`;
    }
  }
  if (target.incidentId !== undefined && incidentRoot) {
    const root = incidentRoot(target.incidentId);
    if (root && target.labels.system && root !== target.labels.system) return `impact of incident ${target.incidentId} (root cause ${root})`;
  }
  return undefined;
}
