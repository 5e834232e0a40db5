import type { Matcher } from '../../config/src/matchers';
import { matchesAll } from '../../alerting/src/matchers';
import type { TimeIntervalSpec } from '../../alerting/src/time-intervals';
import { SLO_ALERT_NAME } from './burn-alerts';
import type { SloDefinition } from './definition';
import { clipRanges, mergeRanges, toWholeMinutes, type Range } from './ranges';
import type { Selection } from './selection';
import { addLocalDays, startOfLocalDay, zonedParts, zonedToUtc } from '../../common/src/time-zone';

export type ExclusionReason = 'drills' | 'maintenance' | 'silenced';
export const EXCLUSION_REASONS: ExclusionReason[] = ['drills', 'maintenance', 'silenced'];

/** What exclusions are made of, read once per evaluation. */
export interface ExclusionInputs {
  drills: { system: string; start: number; end: number | null }[];
  silences: { matchers: Matcher[]; start: number; end: number }[];
  timeIntervals: Map<string, TimeIntervalSpec[]>;
}

export interface Exclusions {
  /** Union of every reason, whole minutes: what is taken out of the SLI and the burn rates. */
  all: Range[];
  byReason: Record<ExclusionReason, Range[]>;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function weekdayMatches(day: number, specs: string[]): boolean {
  return specs.some((s) => {
    const [a, b] = s.split(':').map((d) => DAYS.indexOf(d));
    if (b === undefined) return day === a;
    return a <= b ? day >= a && day <= b : day >= a || day <= b;
  });
}

const hm = (t: string) => {
  const [h, m] = t.split(':').map(Number);
  return h * 60 + m;
};

/**
 * The ranges within [from, to) where a time interval holds, with the same semantics as muting
 * (alerting/time-intervals.ts): weekdays and times in the interval's location, bounded by
 * start/end; a "22:00-02:00" range covers both ends of the same local day.
 */
export function timeIntervalRanges(spec: TimeIntervalSpec, from: number, to: number): Range[] {
  const tz = spec.location ?? 'UTC';
  const lo = Math.max(from, spec.start ? Date.parse(spec.start) : -Infinity);
  const hi = Math.min(to, spec.end ? Date.parse(spec.end) : Infinity);
  if (hi <= lo) return [];
  const out: Range[] = [];
  for (let day = startOfLocalDay(lo, tz); day < hi; ) {
    const next = addLocalDays(day, 1, tz);
    const p = zonedParts(day, tz);
    if (!spec.weekdays?.length || weekdayMatches(p.weekday, spec.weekdays)) {
      if (!spec.times?.length) out.push([day, next]);
      else {
        const at = (minutes: number) => (minutes >= 1440 ? next : zonedToUtc(p.year, p.month, p.day, Math.floor(minutes / 60), minutes % 60, tz));
        for (const t of spec.times) {
          const [f, e] = t.split('-').map(hm);
          if (f < e) out.push([at(f), at(e)]);
          else if (f > e) out.push([at(f), next], [day, at(e)]);
        }
      }
    }
    day = next;
  }
  return mergeRanges(clipRanges(out, lo, hi));
}

/** The exclusions of one SLO over [from, to), per reason and in total, widened to whole minutes. */
export function exclusionsFor(def: SloDefinition, sel: Selection, inputs: ExclusionInputs, from: number, to: number, now: number): Exclusions {
  const drills: Range[] = def.exclude.drills
    ? inputs.drills.filter((d) => sel.systems.includes(d.system)).map((d) => [d.start, d.end ?? now] as Range)
    : [];
  const maintenance: Range[] = def.exclude.maintenance
    ? def.exclude.maintenanceWindows.flatMap((name) => (inputs.timeIntervals.get(name) ?? []).flatMap((spec) => timeIntervalRanges(spec, from, to)))
    : [];
  const labels = { ...def.labels, ...sel.alertLabels, alertname: SLO_ALERT_NAME, severity: 'page', slo: def.name };
  const silenced: Range[] = def.exclude.silenced ? inputs.silences.filter((s) => matchesAll(s.matchers, labels)).map((s) => [s.start, s.end] as Range) : [];
  const norm = (r: Range[]) => clipRanges(toWholeMinutes(r), from, to);
  const byReason = { drills: norm(drills), maintenance: norm(maintenance), silenced: norm(silenced) };
  return { all: mergeRanges([...byReason.drills, ...byReason.maintenance, ...byReason.silenced]), byReason };
}
