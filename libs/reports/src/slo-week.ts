import { cutRequests, computeSlo, planSlo, rangeNumbers, type CountSource, type CutRequest, type SloPlan } from '../../slo/src/engine';
import type { SloDefinition } from '../../slo/src/definition';
import type { ExclusionInputs } from '../../slo/src/exclusions';
import { burnRate } from '../../slo/src/numbers';
import type { Registry } from '../../slo/src/selection';
import type { BudgetPoint } from './budget-chart';
import type { SloWeekInput } from './weekly-model';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/** The burn-rate windows whose peaks the report shows: the fast-burn page windows of the SRE workbook. */
export const PEAK_WINDOWS = [
  { label: '1h', hours: 1 },
  { label: '6h', hours: 6 },
] as const;

export interface SloWeekPlans {
  def: SloDefinition;
  /** The SLO's own window as of the end of the week, with daily points for the chart. */
  atEnd: SloPlan;
  /** The same a week earlier: the trend. */
  previous: SloPlan;
  /** A window that is exactly the reported week: its availability and its hourly burn rates. */
  week: SloPlan;
  /** Hour boundaries of the week (local DST changes make a week 167 or 169 hours). */
  hours: number[];
}

/** What the report computes for one SLO and the week [start, end). Pure: no counts yet. */
export function planSloWeek(def: SloDefinition, reg: Registry, inputs: ExclusionInputs, start: number, end: number): SloWeekPlans {
  const weekDef: SloDefinition = { ...def, window: { kind: 'rolling', ms: end - start, label: 'week' } };
  const hours: number[] = [];
  for (let t = start; t < end; t += HOUR) hours.push(t);
  hours.push(end);
  return {
    def,
    atEnd: planSlo(def, reg, inputs, end, { daily: true }),
    previous: planSlo(def, reg, inputs, end - WEEK),
    week: planSlo(weekDef, reg, inputs, end),
    hours,
  };
}

/** Every count the week's figures need, per series: for readers that fetch prefix sums at given cuts. */
export function sloWeekCutRequests(plans: SloWeekPlans[]): CutRequest[] {
  const base = cutRequests(plans.flatMap((p) => [p.atEnd, p.previous, p.week]));
  const hours = new Map<string, number[]>();
  for (const p of plans) for (const s of p.week.selection.series) hours.set(`${s.id}:${p.week.bucket}`, p.hours);
  return base.map((r) => {
    const extra = hours.get(`${r.seriesId}:${r.bucket}`);
    return extra ? { ...r, cuts: [...new Set([...r.cuts, ...extra])].sort((a, b) => a - b) } : r;
  });
}

const orUndefined = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? undefined : x);

/** The SLO's figures for the report: availability and budget at the week's end and a week before, burn-rate peaks, the budget over the window. */
export function computeSloWeek(p: SloWeekPlans, src: CountSource): SloWeekInput {
  const now = computeSlo(p.atEnd, src);
  const before = computeSlo(p.previous, src);
  const week = rangeNumbers(p.week, src, p.hours[0], p.hours[p.hours.length - 1]);

  // Hourly counts, then the highest burn over any 1 h and any 6 h run of whole hours.
  const hourly = p.hours.slice(0, -1).map((h, i) => rangeNumbers(p.week, src, h, p.hours[i + 1]));
  const burnRatePeaks = PEAK_WINDOWS.map(({ label, hours }) => {
    let peak: { peak: number; at?: number; until?: number } = { peak: 0 };
    for (let i = 0; i + hours <= hourly.length; i++) {
      let bad = 0;
      let valid = 0;
      for (let k = i; k < i + hours; k++) {
        bad += hourly[k].bad;
        valid += hourly[k].valid;
      }
      const b = burnRate({ bad, valid }, p.def.objective);
      if (b !== null && b > peak.peak) peak = { peak: b, at: p.hours[i], until: p.hours[i + hours] };
    }
    return { window: label, ...peak };
  });

  // Budget left at the end of each local day of the window: what the chart draws.
  const budgetSeries: BudgetPoint[] = [];
  if (now.daily && now.budget.totalEvents > 0) {
    let consumed = 0;
    budgetSeries.push({ at: p.atEnd.window.start, remaining: 1 });
    for (const d of now.daily) {
      consumed += d.budgetConsumedRatio ?? 0;
      budgetSeries.push({ at: d.to, remaining: 1 - consumed });
    }
  }

  return {
    name: p.def.name,
    description: p.def.description,
    objective: p.def.objective,
    sli: p.def.sli.kind === 'latency' ? `latency ≤ ${p.def.sli.thresholdMs}ms` : 'availability',
    window: p.def.window.label,
    windowStart: p.atEnd.window.start,
    windowEnd: p.atEnd.window.periodEnd,
    weekAvailability: orUndefined(week.sli),
    availability: orUndefined(now.numbers.sli),
    budgetRemaining: orUndefined(now.budget.remainingRatio),
    previousAvailability: orUndefined(before.numbers.sli),
    previousBudgetRemaining: orUndefined(before.budget.remainingRatio),
    burnRatePeaks,
    budgetSeries,
  };
}
