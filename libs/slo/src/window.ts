import { addLocalDays, startOfLocalDay, zonedParts, zonedToUtc } from '../../common/src/time-zone';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export type CalendarUnit = 'week' | 'month' | 'quarter';

export type WindowSpec = { kind: 'rolling'; ms: number; label: string } | { kind: 'calendar'; unit: CalendarUnit; label: string };

/** Days a calendar window counts as when scaling burn-rate factors (the same in the exported rules). */
export const NOMINAL_DAYS: Record<CalendarUnit, number> = { week: 7, month: 30, quarter: 90 };

export interface ResolvedWindow {
  /** Measured range [start, end): whole minutes; end is the start of the current minute. */
  start: number;
  end: number;
  /** The budget's period: equal to [start, end) for rolling windows, the whole week/month/quarter for calendar ones. */
  periodStart: number;
  periodEnd: number;
  calendar: boolean;
  /** Length used to scale burn-rate factors (30 for 30d and for a month). */
  nominalDays: number;
  label: string;
}

export const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
export const ceilMinute = (ms: number) => Math.ceil(ms / MINUTE) * MINUTE;

/** Start of the local week (Monday), month or quarter containing `ms`, and of the next one. */
export function calendarPeriod(unit: CalendarUnit, ms: number, tz: string): { start: number; end: number } {
  const p = zonedParts(ms, tz);
  if (unit === 'week') {
    const back = (p.weekday + 6) % 7; // days since Monday
    const start = addLocalDays(startOfLocalDay(ms, tz), -back, tz);
    return { start, end: addLocalDays(start, 7, tz) };
  }
  const firstMonth = unit === 'month' ? p.month : Math.floor((p.month - 1) / 3) * 3 + 1;
  const months = unit === 'month' ? 1 : 3;
  return { start: zonedToUtc(p.year, firstMonth, 1, 0, 0, tz), end: zonedToUtc(p.year, firstMonth + months, 1, 0, 0, tz) };
}

/** The window of an SLO as of `now`: rolling windows end now; calendar windows run from the period start to now. */
export function resolveWindow(spec: WindowSpec, tz: string, now: number): ResolvedWindow {
  const end = floorMinute(now);
  if (spec.kind === 'rolling') {
    const len = Math.max(MINUTE, Math.round(spec.ms / MINUTE) * MINUTE);
    return { start: end - len, end, periodStart: end - len, periodEnd: end, calendar: false, nominalDays: len / DAY, label: spec.label };
  }
  const period = calendarPeriod(spec.unit, end, tz);
  return { start: period.start, end, periodStart: period.start, periodEnd: period.end, calendar: true, nominalDays: NOMINAL_DAYS[spec.unit], label: spec.label };
}

/** "this month", "in the last 30d": how budgets are described in summaries. */
export function windowPhrase(w: ResolvedWindow): string {
  return w.calendar ? `this ${w.label}` : `in the last ${w.label}`;
}
