import type { AlertSpec } from '../../alerting/src/alert';
import { defaultAlertWindows } from './alert-windows';
import { humanDuration } from './numbers';
import { DAY, HOUR, MINUTE } from './window';

/** The windows burn rates are reported for. */
export const BURN_WINDOWS = [
  { label: '5m', ms: 5 * MINUTE },
  { label: '30m', ms: 30 * MINUTE },
  { label: '1h', ms: HOUR },
  { label: '2h', ms: 2 * HOUR },
  { label: '6h', ms: 6 * HOUR },
  { label: '1d', ms: DAY },
  { label: '3d', ms: 3 * DAY },
] as const;

export type BurnWindow = (typeof BURN_WINDOWS)[number]['label'];
export type BurnRates = Record<BurnWindow, number | null>;

export interface AlertPair {
  severity: 'page' | 'ticket';
  long: BurnWindow;
  short: BurnWindow;
  /** Share of the whole budget the long window may burn before this pair fires. */
  budgetFraction: number;
}

/**
 * Multi-window, multi-burn-rate alerts (Google SRE workbook, ch. 5): each pair fires when both
 * its long and its short window burn faster than the factor; the short window makes it resolve
 * soon after the errors stop. The share of the budget each pair may burn comes from Sloth's
 * window spec for the SLO's period (alert-windows.ts): the workbook's 2%, 5%, 10%, 10% for 28
 * and 30 days, Sloth's 8%, 12.5%, 20%, 42% for 7 days.
 */
export function alertPairs(windowDays: number): (AlertPair & { factor: number })[] {
  return defaultAlertWindows(windowDays).map((w) => ({
    severity: w.severity,
    long: w.long as BurnWindow,
    short: w.short as BurnWindow,
    budgetFraction: w.budgetFraction,
    factor: +w.burn.toPrecision(12),
  }));
}

/** The 30-day pairs (the workbook's). */
export const ALERT_PAIRS: AlertPair[] = alertPairs(30).map(({ factor: _f, ...p }) => p);

export const windowMs = (w: BurnWindow) => BURN_WINDOWS.find((x) => x.label === w)!.ms;

/**
 * The burn rate at which the long window consumes `budgetFraction` of the budget: fraction ×
 * window / long window. For a 30-day window: 14.4, 6, 3 and 1, as in the workbook.
 */
export function burnFactor(pair: AlertPair, windowDays: number): number {
  return +((pair.budgetFraction * windowDays * DAY) / windowMs(pair.long)).toPrecision(12);
}

export interface PairDecision extends AlertPair {
  factor: number;
  firing: boolean;
  longBurn: number | null;
  shortBurn: number | null;
}

export function decidePairs(burns: BurnRates, windowDays: number): PairDecision[] {
  return alertPairs(windowDays).map(({ factor, ...p }) => {
    const longBurn = burns[p.long];
    const shortBurn = burns[p.short];
    const firing = longBurn !== null && shortBurn !== null && longBurn > factor && shortBurn > factor;
    return { ...p, factor, firing, longBurn, shortBurn };
  });
}

export const SLO_ALERT_NAME = 'SLOBurnRate';

export interface BurnAlertContext {
  slo: string;
  windowLabel: string;
  windowDays: number;
  /** Labels saying what the SLO measures (system, target) and the SLO's own labels. */
  labels: Record<string, string>;
  /** Time to exhaustion at the 1h burn rate, if known. */
  exhaustsInMs: number | null;
}

const times = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;

/** Alert specs for the pairs that fire now, for scope `slo:<name>`; the rest resolve. */
export function burnAlerts(decisions: PairDecision[], c: BurnAlertContext): AlertSpec[] {
  return decisions
    .filter((d) => d.firing)
    .map((d) => {
      const spentPct = ((d.longBurn! * windowMs(d.long)) / (c.windowDays * DAY)) * 100;
      const exhaust = c.exhaustsInMs === null ? '' : c.exhaustsInMs <= 0 ? '; the budget is exhausted' : `; at this rate the budget is gone in ${humanDuration(c.exhaustsInMs)}`;
      return {
        labels: { ...c.labels, alertname: SLO_ALERT_NAME, severity: d.severity, slo: c.slo, long_window: d.long, short_window: d.short },
        annotations: {
          summary: `${c.slo}: error budget burning ${times(d.longBurn!)} too fast over ${d.long} (${times(d.shortBurn!)} over ${d.short}): ${spentPct.toFixed(1)}% of the ${c.windowLabel} budget spent in the last ${d.long}${exhaust}`,
          description: `Both burn rates are above ${d.factor} (${(d.budgetFraction * 100).toFixed(0)}% of the ${c.windowLabel} budget in ${d.long}).`,
        },
        forMs: 0,
      };
    });
}
