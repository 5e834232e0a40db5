import { budgetRatio } from './definition';
import type { ResolvedWindow } from './window';

/**
 * Counts over a range for the SLI: `total` probes (or minutes) answered, `good` the ones that
 * count as good for this SLI (successful; for latency, successful and within the threshold).
 */
export interface Counts {
  total: number;
  good: number;
}

export const ZERO: Counts = { total: 0, good: 0 };
export const add = (a: Counts, b: Counts): Counts => ({ total: a.total + b.total, good: a.good + b.good });
export const sub = (a: Counts, b: Counts): Counts => ({ total: a.total - b.total, good: a.good - b.good });

export interface RangeNumbers {
  from: number;
  to: number;
  good: number;
  bad: number;
  /** good + bad: the events the SLI is computed over. */
  valid: number;
  /** Events expected from the probe intervals but not recorded (Nines itself was down): neither good nor bad. */
  unknown: number;
  expected: number;
  excluded: { good: number; bad: number; events: number; ms: number };
  /** good / valid, or null with no valid event. */
  sli: number | null;
}

/** availability → nines: 0.9995 → 3.30. Infinity with no bad event; null without data. */
export function nines(sli: number | null): number | null {
  if (sli === null) return null;
  if (sli >= 1) return Infinity;
  return -Math.log10(1 - sli);
}

/** How many times faster than "exactly the budget over the window" errors arrive; null without data. */
export function burnRate(n: Pick<RangeNumbers, 'bad' | 'valid'>, objective: number): number | null {
  if (n.valid <= 0) return null;
  return n.bad / n.valid / budgetRatio(objective);
}

export interface ErrorBudget {
  /** Bad events the objective allows over the whole period (for calendar windows, including the rest of the period). */
  totalEvents: number;
  consumedEvents: number;
  remainingEvents: number;
  consumedRatio: number | null;
  remainingRatio: number | null;
  /** The same as time: events divided by the selection's expected event rate. */
  totalMs: number | null;
  consumedMs: number | null;
  remainingMs: number | null;
  exhausted: boolean;
}

/**
 * The error budget of a window. Rolling: (1 − objective) × valid events. Calendar: the rest of
 * the period counts too, at the selection's probe rate, so "left this month" is a budget for the
 * whole month rather than for the days so far.
 */
export function errorBudget(n: RangeNumbers, w: ResolvedWindow, objective: number, perMs: number): ErrorBudget {
  const future = w.calendar ? Math.max(0, w.periodEnd - w.end) * perMs : 0;
  const totalEvents = budgetRatio(objective) * (n.valid + future);
  const remainingEvents = totalEvents - n.bad;
  const toMs = (e: number) => (perMs > 0 ? e / perMs : null);
  return {
    totalEvents,
    consumedEvents: n.bad,
    remainingEvents,
    consumedRatio: totalEvents > 0 ? n.bad / totalEvents : null,
    remainingRatio: totalEvents > 0 ? remainingEvents / totalEvents : null,
    totalMs: toMs(totalEvents),
    consumedMs: toMs(n.bad),
    remainingMs: toMs(remainingEvents),
    exhausted: totalEvents > 0 ? remainingEvents <= 0 && n.bad > 0 : n.bad > 0,
  };
}

/**
 * When the remaining budget runs out if errors keep arriving at `burn` (× the budget rate):
 * remaining / (burn × (1 − objective) × event rate). Null when nothing burns; 0 when already gone.
 */
export function timeToExhaustion(b: ErrorBudget, burn: number | null, objective: number, perMs: number): number | null {
  if (b.exhausted) return 0;
  if (burn === null || burn <= 0 || perMs <= 0) return null;
  return b.remainingEvents / (burn * budgetRatio(objective) * perMs);
}

/** "13m 2s", "1d 4h", "45s": the two most significant units. */
export function humanDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s === 0) return '0s';
  const units: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3_600), 'h'],
    [Math.floor((s % 3_600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const i = units.findIndex(([v]) => v > 0);
  return units
    .slice(i, i + 2)
    .filter(([v], j) => j === 0 || v > 0)
    .map(([v, u]) => `${v}${u}`)
    .join(' ');
}

/** "13m 2s of downtime left this month" / "budget exhausted: 4m 10s over in the last 30d". */
export function budgetSentence(b: ErrorBudget, phrase: string): string {
  if (b.remainingMs === null) return 'no data yet';
  if (b.exhausted) return `budget exhausted: ${humanDuration(-b.remainingMs)} over ${phrase}`;
  return `${humanDuration(b.remainingMs)} of downtime left ${phrase}`;
}
