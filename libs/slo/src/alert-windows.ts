import { DAY, HOUR } from './window';

/**
 * Multiwindow, multi-burn-rate alert windows as Sloth's window specs give them
 * (slok/sloth internal/alert/window.go and windows/*.yaml). A spec names, for one SLO period, the
 * share of the budget each pair may burn over its long window; the burn-rate threshold is then
 * share × period ÷ long window (Sloth's getBurnRateFactor), so a spec scales with its period.
 */
export interface WindowSpec {
  /** The SLO period the spec is written for, in days. */
  periodDays: number;
  source: string;
  /** Percent of the budget: page quick (1h/5m), page slow (6h/30m), ticket quick (1d/2h), ticket slow (3d/6h). */
  percents: [number, number, number, number];
}

/** Sloth ships google-30d and google-28d (the SRE workbook's numbers) and documents a 7d spec (examples/windows/7d.yaml). */
export const SLOTH_WINDOW_SPECS: WindowSpec[] = [
  { periodDays: 30, source: 'Sloth google-30d', percents: [2, 5, 10, 10] },
  { periodDays: 28, source: 'Sloth google-28d', percents: [2, 5, 10, 10] },
  { periodDays: 7, source: 'Sloth 7d (examples/windows/7d.yaml)', percents: [8, 12.5, 20, 42] },
];

const PAIRS = [
  { severity: 'page', long: '1h', short: '5m' },
  { severity: 'page', long: '6h', short: '30m' },
  { severity: 'ticket', long: '1d', short: '2h' },
  { severity: 'ticket', long: '3d', short: '6h' },
] as const;

export interface AlertWindow {
  severity: 'page' | 'ticket';
  long: string;
  short: string;
  longMs: number;
  shortMs: number;
  /** Burn-rate threshold: both windows must burn faster than this. */
  burn: number;
  /** Share of the whole budget the long window burns at that rate (known for specs, derived for custom pairs). */
  budgetFraction: number;
}

const WINDOW_MS: Record<string, number> = { '5m': 5 * 60_000, '30m': 30 * 60_000, '1h': HOUR, '2h': 2 * HOUR, '6h': 6 * HOUR, '1d': DAY, '3d': 3 * DAY };

/**
 * The spec for a period: Sloth's own for 7, 28 and 30 days; any other period takes the spec of
 * the nearest of them (7d up to 14 days, the workbook's beyond), applied to its own length —
 * as Sloth's 28d spec is its 30d one applied to 28 days.
 */
export function windowSpecFor(periodDays: number): WindowSpec {
  return SLOTH_WINDOW_SPECS.find((s) => s.periodDays === periodDays) ?? (periodDays <= 14 ? SLOTH_WINDOW_SPECS[2] : SLOTH_WINDOW_SPECS[0]);
}

/** The four default pairs for an SLO period, thresholds computed in Sloth's order of operations. */
export function defaultAlertWindows(periodDays: number): AlertWindow[] {
  const spec = windowSpecFor(periodDays);
  return PAIRS.map((p, i) => {
    const longMs = WINDOW_MS[p.long];
    // Sloth: hoursRequiredConsumption = percent × period hours / 100; speed = that / long window hours.
    const burn = (spec.percents[i] * ((periodDays * DAY) / HOUR)) / 100 / (longMs / HOUR);
    return { severity: p.severity, long: p.long, short: p.short, longMs, shortMs: WINDOW_MS[p.short], burn, budgetFraction: spec.percents[i] / 100 };
  });
}

/** Custom pairs from `prometheus_rules.windows`; severity defaults to page up to a 6h long window, ticket beyond. */
export function customAlertWindows(windows: { long: string; short: string; burn: number; severity?: 'page' | 'ticket' }[], periodDays: number, parse: (d: string) => number): AlertWindow[] {
  return windows.map((w) => {
    const longMs = parse(w.long);
    return {
      severity: w.severity ?? (longMs <= 6 * HOUR ? 'page' : 'ticket'),
      long: w.long,
      short: w.short,
      longMs,
      shortMs: parse(w.short),
      burn: w.burn,
      budgetFraction: (w.burn * longMs) / (periodDays * DAY),
    };
  });
}
