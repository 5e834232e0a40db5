import type { BudgetPoint } from './budget-chart';
import { pct } from './format';

/**
 * The weekly report as data: everything the HTML and text parts say, computed once from what the
 * repository and the SLO service read. Pure: no I/O, no clock (generatedAt is an input).
 */

/** One SLO as the SLO service sees it at the end of the reported week (and of the week before). */
export interface SloWeekInput {
  name: string;
  description?: string;
  /** Percent, as configured (99.95). */
  objective: number;
  sli: string;
  /** The window as configured: "30d", "month", … */
  window: string;
  /** The SLO window that ends with the reported week. */
  windowStart: number;
  windowEnd: number;
  /** Availability over the reported week alone; undefined when nothing was measured. */
  weekAvailability?: number;
  /** Over the window ending at the end of the week. */
  availability?: number;
  /** Error budget left at the end of the week: 1 untouched, 0 exhausted, negative overspent. */
  budgetRemaining?: number;
  /** The same at the end of the previous week (its own window), for the trend. */
  previousAvailability?: number;
  previousBudgetRemaining?: number;
  /** The highest burn rate seen during the week, per burn-rate window (1h, 6h, …), and the run of time it was seen over. */
  burnRatePeaks: { window: string; peak: number; at?: number; until?: number }[];
  /** Budget remaining over the window, at least daily: the chart. */
  budgetSeries: BudgetPoint[];
}

export interface IncidentInput {
  id: number;
  title: string;
  severity: string;
  state: string;
  rootSystem: string;
  systems: string[];
  drill: boolean;
  failovers: number;
  openedAt: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  resolvedAt?: number;
  ttdMs?: number;
  rtoMs?: number;
  rpoLagSeconds?: number;
  rpoLagBytes?: number;
  rpoLsnDiffBytes?: number;
  ttaMs?: number;
  ttrMs?: number;
}

export interface FailoverCount {
  system: string;
  failovers: number;
  drills: number;
}

export interface FlappyTarget {
  target: string;
  system?: string;
  member?: string;
  /** Changes between success and failure from one result to the next. */
  flips: number;
  results: number;
  failures: number;
}

export interface WeeklyReportInput {
  week: string;
  timezone: string;
  start: number;
  end: number;
  generatedAt: number;
  slos: SloWeekInput[];
  /** Why there is no SLO section (e.g. the SLO service is not available), when there is none. */
  slosUnavailable?: string;
  incidents: IncidentInput[];
  /** Incidents opened before the end of the week and not resolved by then. */
  openAtEnd: number;
  failovers: FailoverCount[];
  flappy: FlappyTarget[];
  /** Raw results are kept for a limited time: from when this week is covered, when not from its start. */
  rawCoverageFrom?: number;
  /** True when no raw result of the week is kept at all. */
  rawMissing?: boolean;
  /** Where "open incident" links point, when configured. */
  externalUrl?: string;
}

export interface SloReport extends SloWeekInput {
  weekNines?: number;
  nines?: number;
  budgetConsumed?: number;
  /** Budget remaining now minus a week ago: negative means the week spent budget. */
  trend?: number;
  met?: boolean;
  exhausted: boolean;
  newlyBreached: boolean;
  newlyExhausted: boolean;
  recovered: boolean;
}

export interface Change {
  kind: 'breached' | 'exhausted' | 'recovered';
  slo: string;
  message: string;
}

export interface WeeklyReport extends Omit<WeeklyReportInput, 'slos' | 'incidents'> {
  slos: SloReport[];
  incidents: IncidentInput[];
  summary: {
    slos: number;
    slosMet: number;
    slosMeasured: number;
    incidents: number;
    drills: number;
    bySeverity: Record<string, number>;
    failovers: number;
    failoverDrills: number;
    /** Means over the week's incidents that are not drills. */
    mttaMs?: number;
    mttaCount: number;
    mttrMs?: number;
    mttrCount: number;
  };
  changes: Change[];
}

/** Availability as a count of nines: 0.999 → 3. */
export function ninesOf(availability: number | undefined): number | undefined {
  if (availability === undefined || Number.isNaN(availability)) return undefined;
  if (availability >= 1) return Infinity;
  return -Math.log10(1 - availability);
}

function mean(xs: number[]): number | undefined {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

const pctOf = (r: number) => `${Number((r * 100).toFixed(3))}%`;

export function buildWeeklyReport(input: WeeklyReportInput): WeeklyReport {
  const slos: SloReport[] = input.slos.map((s) => {
    const target = s.objective / 100;
    const met = s.availability === undefined ? undefined : s.availability >= target;
    const wasMet = s.previousAvailability === undefined ? undefined : s.previousAvailability >= target;
    const exhausted = s.budgetRemaining !== undefined && s.budgetRemaining <= 0;
    const wasExhausted = s.previousBudgetRemaining !== undefined && s.previousBudgetRemaining <= 0;
    return {
      ...s,
      weekNines: ninesOf(s.weekAvailability),
      nines: ninesOf(s.availability),
      budgetConsumed: s.budgetRemaining === undefined ? undefined : 1 - s.budgetRemaining,
      trend: s.budgetRemaining !== undefined && s.previousBudgetRemaining !== undefined ? s.budgetRemaining - s.previousBudgetRemaining : undefined,
      met,
      exhausted,
      // With no measurement a week ago, a miss now is news.
      newlyBreached: met === false && wasMet !== false,
      newlyExhausted: exhausted && !wasExhausted,
      recovered: met === true && wasMet === false,
    };
  });

  const changes: Change[] = [];
  for (const s of slos) {
    if (s.newlyBreached)
      changes.push({ kind: 'breached', slo: s.name, message: `${s.name} fell below its objective: ${pctOf(s.availability!)} < ${s.objective}% over ${s.window}` });
    if (s.newlyExhausted)
      changes.push({ kind: 'exhausted', slo: s.name, message: `${s.name} exhausted its error budget (${pct(s.budgetRemaining!, 0)} left)` });
    if (s.recovered) changes.push({ kind: 'recovered', slo: s.name, message: `${s.name} is back within its objective: ${pctOf(s.availability!)} ≥ ${s.objective}%` });
  }

  const incidents = [...input.incidents].sort((a, b) => a.openedAt - b.openedAt || a.id - b.id);
  const real = incidents.filter((i) => !i.drill);
  const tta = real.map((i) => i.ttaMs).filter((x): x is number => x !== undefined);
  const ttr = real.map((i) => i.ttrMs).filter((x): x is number => x !== undefined);
  const bySeverity: Record<string, number> = {};
  for (const i of real) bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + 1;
  const failovers = [...input.failovers].sort((a, b) => b.failovers - a.failovers || b.drills - a.drills || a.system.localeCompare(b.system));
  const flappy = [...input.flappy].sort((a, b) => b.flips - a.flips || b.failures - a.failures || a.target.localeCompare(b.target));

  return {
    ...input,
    slos,
    incidents,
    failovers,
    flappy,
    summary: {
      slos: slos.length,
      slosMet: slos.filter((s) => s.met === true).length,
      slosMeasured: slos.filter((s) => s.met !== undefined).length,
      incidents: real.length,
      drills: incidents.length - real.length,
      bySeverity,
      failovers: failovers.reduce((n, f) => n + f.failovers, 0),
      failoverDrills: failovers.reduce((n, f) => n + f.drills, 0),
      mttaMs: mean(tta),
      mttaCount: tta.length,
      mttrMs: mean(ttr),
      mttrCount: ttr.length,
    },
    changes,
  };
}
