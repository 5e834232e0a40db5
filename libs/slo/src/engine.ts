import { BURN_WINDOWS, decidePairs, type BurnRates, type PairDecision } from './burn-alerts';
import type { SloDefinition } from './definition';
import { EXCLUSION_REASONS, exclusionsFor, type ExclusionInputs, type ExclusionReason, type Exclusions } from './exclusions';
import { add, burnRate, budgetSentence, errorBudget, nines, sub, timeToExhaustion, ZERO, type Counts, type ErrorBudget, type RangeNumbers } from './numbers';
import { clipRanges, rangesLength } from './ranges';
import { selectSeries, type Registry, type Selection } from './selection';
import { addLocalDays, localDate, startOfLocalDay } from '../../common/src/time-zone';
import { resolveWindow, windowPhrase, type ResolvedWindow } from './window';

/**
 * Where counts come from: for one series and SLI bucket (0 = availability, k = latency
 * boundary k), the counts over [from, to). Implemented over the rollups by RollupReader, and
 * by plain arrays in the unit specs.
 */
export interface CountSource {
  sum(seriesId: number, bucket: number, from: number, to: number): Counts;
}

/** Everything about one SLO that does not need the counts. */
export interface SloPlan {
  def: SloDefinition;
  selection: Selection;
  window: ResolvedWindow;
  exclusions: Exclusions;
  bucket: number;
  /** Local day starts within the window, for the daily series (detail view only). */
  dailyStarts?: number[];
}

/** How far back burn rates look: exclusions and cuts are needed from here. */
const LONGEST_BURN = BURN_WINDOWS[BURN_WINDOWS.length - 1].ms;

export function planSlo(def: SloDefinition, reg: Registry, inputs: ExclusionInputs, now: number, opts: { daily?: boolean } = {}): SloPlan {
  const selection = selectSeries(def.selector, reg);
  const window = resolveWindow(def.window, def.timezone, now);
  const from = Math.min(window.start, window.end - LONGEST_BURN);
  const exclusions = exclusionsFor(def, selection, inputs, from, window.end, now);
  const plan: SloPlan = { def, selection, window, exclusions, bucket: def.sli.kind === 'latency' ? def.sli.bucket : 0 };
  if (opts.daily) {
    const starts: number[] = [];
    for (let d = startOfLocalDay(window.start, def.timezone); d < window.end; d = addLocalDays(d, 1, def.timezone)) starts.push(d);
    plan.dailyStarts = starts;
  }
  return plan;
}

/** Every instant the counts of a plan are needed at: differences of prefix sums at these cuts give every range. */
export function planCuts(plan: SloPlan): number[] {
  const { window: w, exclusions } = plan;
  const cuts = new Set<number>([w.start, w.end]);
  for (const b of BURN_WINDOWS) cuts.add(w.end - b.ms);
  for (const [a, b] of exclusions.all) cuts.add(a).add(b);
  for (const r of EXCLUSION_REASONS) for (const [a, b] of exclusions.byReason[r]) cuts.add(a).add(b);
  for (const d of plan.dailyStarts ?? []) if (d > w.start) cuts.add(d);
  return [...cuts].sort((a, b) => a - b);
}

export interface CutRequest {
  seriesId: number;
  bucket: number;
  cuts: number[];
}

/** Cut requests of many plans, merged per (series, bucket). */
export function cutRequests(plans: SloPlan[]): CutRequest[] {
  const byKey = new Map<string, { seriesId: number; bucket: number; cuts: Set<number> }>();
  for (const p of plans) {
    const cuts = planCuts(p);
    for (const s of p.selection.series) {
      const key = `${s.id}:${p.bucket}`;
      let r = byKey.get(key);
      if (!r) byKey.set(key, (r = { seriesId: s.id, bucket: p.bucket, cuts: new Set() }));
      for (const c of cuts) r.cuts.add(c);
    }
  }
  return [...byKey.values()].map((r) => ({ seriesId: r.seriesId, bucket: r.bucket, cuts: [...r.cuts].sort((a, b) => a - b) }));
}

/** Counts over [from, to), with excluded minutes taken out and reported apart, and unknown events. */
export function rangeNumbers(plan: SloPlan, src: CountSource, from: number, to: number): RangeNumbers {
  const ex = clipRanges(plan.exclusions.all, from, to);
  const exMs = rangesLength(ex);
  let raw: Counts = ZERO;
  let excl: Counts = ZERO;
  let expected = 0;
  for (const s of plan.selection.series) {
    raw = add(raw, src.sum(s.id, plan.bucket, from, to));
    for (const [a, b] of ex) excl = add(excl, src.sum(s.id, plan.bucket, a, b));
    // Ticks that fall in the range; the 1e-9 absorbs float error in exact multiples.
    expected += Math.floor((to - from - exMs) * s.perMs + 1e-9);
  }
  const counted = sub(raw, excl);
  const valid = counted.total;
  return {
    from,
    to,
    good: counted.good,
    bad: counted.total - counted.good,
    valid,
    unknown: Math.max(0, expected - counted.total),
    expected,
    excluded: { good: excl.good, bad: excl.total - excl.good, events: excl.total, ms: exMs },
    sli: valid > 0 ? counted.good / valid : null,
  };
}

function reasonNumbers(plan: SloPlan, src: CountSource, reason: ExclusionReason) {
  const ranges = clipRanges(plan.exclusions.byReason[reason], plan.window.start, plan.window.end);
  let c: Counts = ZERO;
  for (const s of plan.selection.series) for (const [a, b] of ranges) c = add(c, src.sum(s.id, plan.bucket, a, b));
  return { good: c.good, bad: c.total - c.good, events: c.total, ms: rangesLength(ranges), ranges };
}

export interface DailyPoint {
  day: string;
  from: number;
  to: number;
  numbers: RangeNumbers;
  /** Share of the window's whole budget this day used. */
  budgetConsumedRatio: number | null;
}

export interface SloReport {
  plan: SloPlan;
  numbers: RangeNumbers;
  budget: ErrorBudget;
  budgetSentence: string;
  nines: number | null;
  burnRates: BurnRates;
  /** Time to exhaustion at the 1h burn rate. */
  exhaustsInMs: number | null;
  alerts: PairDecision[];
  excludedByReason: Record<ExclusionReason, { good: number; bad: number; events: number; ms: number; ranges: [number, number][] }>;
  daily?: DailyPoint[];
}

export const EXHAUSTION_BURN_WINDOW = '1h';

export function computeSlo(plan: SloPlan, src: CountSource): SloReport {
  const { window: w, def, selection } = plan;
  const numbers = rangeNumbers(plan, src, w.start, w.end);
  const budget = errorBudget(numbers, w, def.objective, selection.perMs);
  const burnRates = {} as BurnRates;
  for (const b of BURN_WINDOWS) burnRates[b.label] = burnRate(rangeNumbers(plan, src, w.end - b.ms, w.end), def.objective);
  const exhaustsInMs = timeToExhaustion(budget, burnRates[EXHAUSTION_BURN_WINDOW], def.objective, selection.perMs);
  const excludedByReason = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, reasonNumbers(plan, src, r)])) as SloReport['excludedByReason'];
  const report: SloReport = {
    plan,
    numbers,
    budget,
    budgetSentence: budgetSentence(budget, windowPhrase(w)),
    nines: nines(numbers.sli),
    burnRates,
    exhaustsInMs,
    alerts: decidePairs(burnRates, w.nominalDays),
    excludedByReason,
  };
  if (plan.dailyStarts) {
    report.daily = plan.dailyStarts.map((d, i) => {
      const from = Math.max(d, w.start);
      const to = Math.min(plan.dailyStarts![i + 1] ?? w.end, w.end);
      const n = rangeNumbers(plan, src, from, to);
      return { day: localDate(d, def.timezone), from, to, numbers: n, budgetConsumedRatio: budget.totalEvents > 0 ? n.bad / budget.totalEvents : null };
    });
  }
  return report;
}

