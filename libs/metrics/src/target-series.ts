import type { ProbeTarget } from '../../probes/src/target';
import type { TargetState } from '../../probes/src/target-state';

/**
 * What /metrics says about one configured target: its last probe, from whichever source saw it
 * last — this process's own prober (live, needs no dependency) or the shared target_state rows
 * (other probers' targets, last snapshot read). Pure: the collector passes `now`.
 */
export interface TargetSeries {
  key: string;
  system?: string;
  member?: string;
  layer?: string;
  kind: string;
  isEndpoint: boolean;
  /** Scheduled time of the last probe, epoch ms. */
  at: number;
  success: boolean;
  status: 'up' | 'down' | 'unknown';
  durationMs?: number;
  httpStatus?: number;
  /** Earliest certificate expiry, epoch seconds. */
  certExpiry?: number;
  role?: string;
  lagSeconds?: number;
  lagBytes?: number;
  source: 'prober' | 'database';
  /** The stale rule (README): no probe result for two intervals plus the timeout. */
  stale: boolean;
}

/** A target_state row as the database snapshot gives it (StateRepository.targets). */
export interface StoredTargetState {
  key: string;
  last_scheduled_at: Date | null;
  last_success: boolean | null;
  last_duration_ms: number | null;
  status: string | null;
  http_status: number | null;
  cert_expiry: Date | null;
  role: string | null;
  lag_seconds: number | null;
  lag_bytes: number | null;
}

/** How old a target's last result may be before its series are marked stale. */
export const staleAfterMs = (t: Pick<ProbeTarget, 'intervalMs' | 'timeoutMs'>) => 2 * t.intervalMs + t.timeoutMs;

const num = (v: number | null | undefined) => (v === null || v === undefined ? undefined : Number(v));

/**
 * One entry per configured target that has been probed at least once (by anyone). A target never
 * probed yet has no result to report, so it has no probe_success series rather than a false 0.
 */
export function targetSeries(
  targets: readonly ProbeTarget[],
  stored: ReadonlyMap<string, StoredTargetState>,
  live: (key: string) => TargetState | undefined,
  now: number,
): TargetSeries[] {
  const out: TargetSeries[] = [];
  for (const t of targets) {
    const base = { key: t.key, system: t.system, member: t.member, layer: t.layer, kind: t.probe.kind, isEndpoint: !!t.isEndpoint };
    const mine = live(t.key);
    const r = mine?.lastResult;
    const row = stored.get(t.key);
    const rowAt = row?.last_scheduled_at ? new Date(row.last_scheduled_at).getTime() : undefined;
    let s: TargetSeries | undefined;
    if (r && (rowAt === undefined || row?.last_success === null || r.scheduledAt >= rowAt)) {
      s = {
        ...base,
        at: r.scheduledAt,
        success: r.up,
        status: mine!.status,
        durationMs: r.durationMs,
        httpStatus: r.httpStatus,
        certExpiry: r.certExpiry,
        role: r.role,
        lagSeconds: r.lagSeconds,
        lagBytes: r.lagBytes,
        source: 'prober',
        stale: false,
      };
    } else if (row && rowAt !== undefined && row.last_success !== null) {
      s = {
        ...base,
        at: rowAt,
        success: row.last_success,
        status: row.status === 'up' || row.status === 'down' ? row.status : 'unknown',
        durationMs: num(row.last_duration_ms),
        httpStatus: num(row.http_status),
        certExpiry: row.cert_expiry ? new Date(row.cert_expiry).getTime() / 1000 : undefined,
        role: row.role ?? undefined,
        lagSeconds: num(row.lag_seconds),
        lagBytes: num(row.lag_bytes),
        source: 'database',
        stale: false,
      };
    }
    if (!s) continue;
    s.stale = now - s.at > staleAfterMs(t);
    out.push(s);
  }
  return out;
}

/**
 * nines_system_up from the members' and endpoint's series: the endpoint decides when the system
 * has one; otherwise any member up. Systems with nothing probed yet are left out.
 */
export function systemsUp(series: readonly TargetSeries[]): Map<string, boolean> {
  const by = new Map<string, { endpoint?: boolean; anyUp: boolean }>();
  for (const t of series) {
    if (!t.system) continue;
    const s = by.get(t.system) ?? { anyUp: false };
    if (t.isEndpoint) s.endpoint = t.status === 'up';
    else if (t.status === 'up') s.anyUp = true;
    by.set(t.system, s);
  }
  return new Map([...by].map(([system, s]) => [system, s.endpoint ?? s.anyUp]));
}

/** A target's quorum verdict as the probing locations settled it (Redis), ahead of the stored row. */
export interface SettledStatus {
  status: 'up' | 'down' | 'unknown';
  /** When it changed: the scheduled time of the result that tipped it. */
  since: number;
}

/**
 * With probing from several locations, the verdict changes in Redis the moment a location tips it,
 * while the stored row follows at the next result flush: a newer verdict wins over the series'
 * success and status (an api replica's probe_success then follows the verdict, not the flush).
 */
export function overlayVerdicts(series: readonly TargetSeries[], verdicts: ReadonlyMap<string, SettledStatus>): TargetSeries[] {
  return series.map((s) => {
    const v = verdicts.get(s.key);
    // The same tick can be stored by a location that passed it on before the verdict tipped on it: the verdict wins then too.
    if (!v || v.status === 'unknown' || v.since < s.at || (v.status === 'up') === s.success) return s;
    return { ...s, success: v.status === 'up', status: v.status, at: v.since, stale: false };
  });
}
