import { EXHAUSTION_BURN_WINDOW, type SloReport } from './engine';
import { EXCLUSION_REASONS } from './exclusions';
import { toRaw } from './definition';
import type { RangeNumbers } from './numbers';
import { toIso } from '../../common/src/time';

const round = (x: number | null, digits = 9) => (x === null || !Number.isFinite(x) ? null : +x.toFixed(digits));

function eventsJson(n: RangeNumbers) {
  return { good: n.good, bad: n.bad, valid: n.valid, unknown: n.unknown, expected: n.expected, excluded: n.excluded.events };
}

/** "3.30", "∞" (no bad event), "—" (no data). */
export function ninesText(x: number | null): string {
  if (x === null) return '—';
  if (!Number.isFinite(x)) return '∞';
  return x.toFixed(2);
}

/** The API's view of one SLO (GET /api/v1/slos and /slos/:name); snake_case like the rest of the API. */
export function reportJson(r: SloReport) {
  const { def, window: w, selection } = r.plan;
  const perMs = selection.perMs;
  const toMs = (events: number) => (perMs > 0 ? Math.round(events / perMs) : null);
  const n = r.numbers;
  return {
    name: def.name,
    description: def.description ?? null,
    source: def.source,
    definition: toRaw(def),
    objective: def.objective,
    objective_ratio: +(def.objective / 100).toPrecision(12),
    window: {
      spec: w.label,
      kind: w.calendar ? 'calendar' : 'rolling',
      timezone: def.timezone,
      start: toIso(w.start),
      end: toIso(w.end),
      period_start: toIso(w.periodStart),
      period_end: toIso(w.periodEnd),
    },
    measured: { unit: selection.unit === 'minute' ? 'minutes (system: any member up)' : 'probes', series: selection.series.map((s) => s.key) },
    availability: round(n.sli),
    nines: round(r.nines, 4),
    nines_text: ninesText(r.nines),
    events: eventsJson(n),
    time: { bad_ms: toMs(n.bad), unknown_ms: toMs(n.unknown), excluded_ms: n.excluded.ms },
    error_budget: {
      total_events: round(r.budget.totalEvents, 6),
      consumed_events: r.budget.consumedEvents,
      remaining_events: round(r.budget.remainingEvents, 6),
      consumed_ratio: round(r.budget.consumedRatio),
      remaining_ratio: round(r.budget.remainingRatio),
      total_ms: r.budget.totalMs === null ? null : Math.round(r.budget.totalMs),
      consumed_ms: r.budget.consumedMs === null ? null : Math.round(r.budget.consumedMs),
      remaining_ms: r.budget.remainingMs === null ? null : Math.round(r.budget.remainingMs),
      exhausted: r.budget.exhausted,
      summary: r.budgetSentence,
    },
    burn_rates: Object.fromEntries(Object.entries(r.burnRates).map(([k, v]) => [k, round(v)])),
    exhaustion: {
      burn_rate_window: EXHAUSTION_BURN_WINDOW,
      in_ms: r.exhaustsInMs === null ? null : Math.round(r.exhaustsInMs),
      at: r.exhaustsInMs === null ? null : toIso(w.end + Math.round(r.exhaustsInMs)),
    },
    alerts: r.alerts.map((a) => ({ severity: a.severity, long_window: a.long, short_window: a.short, factor: a.factor, firing: a.firing })),
    excluded: Object.fromEntries(
      EXCLUSION_REASONS.map((reason) => {
        const x = r.excludedByReason[reason];
        return [reason, { good: x.good, bad: x.bad, events: x.events, ms: x.ms, ranges: x.ranges.map(([a, b]) => ({ start: toIso(a), end: toIso(b) })) }];
      }),
    ),
    ...(r.daily
      ? {
          daily: r.daily.map((d) => ({
            day: d.day,
            start: toIso(d.from),
            end: toIso(d.to),
            availability: round(d.numbers.sli),
            ...eventsJson(d.numbers),
            budget_consumed_ratio: round(d.budgetConsumedRatio),
          })),
        }
      : {}),
  };
}

export type SloJson = ReturnType<typeof reportJson>;
