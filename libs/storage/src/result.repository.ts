import type { DataSource } from 'typeorm';
import type { ProbeResult } from '../../probes/src/observation';
import type { TargetState } from '../../probes/src/target-state';
import { bucketColumn, LATENCY_BUCKETS_MS } from '../../slo/src/latency-buckets';

export interface ResultRow {
  targetId: number;
  result: ProbeResult;
}

export interface StateRow {
  targetId: number;
  state: TargetState;
}

const toTs = (ms: number | undefined) => (ms === undefined ? null : ms / 1000);

// Per latency boundary, the successful probes no slower than it: exact latency SLIs (libs/slo).
const LAT_COLUMNS = LATENCY_BUCKETS_MS.map(bucketColumn);
const LAT_COUNTS = LATENCY_BUCKETS_MS.map((ms) => `count(*) filter (where success and duration_ms <= ${ms})`).join(', ');
const LAT_ADD = LAT_COLUMNS.map((c) => `${c} = m.${c} + excluded.${c}`).join(', ');

/**
 * Batched writes: one statement inserts a batch of raw results and adds the rows it actually
 * inserted to the per-minute rollup (counts, latency sum and max, and per latency boundary). A tick written twice (two replicas, a retried flush) hits
 * the primary key, is not returned by the insert, and so is never counted twice.
 */
export class ResultRepository {
  constructor(private readonly ds: DataSource) {}

  async writeBatch(rows: ResultRow[], states: StateRow[]): Promise<number> {
    if (!rows.length && !states.length) return 0;
    // Stable order: concurrent writers lock rollup and state rows in the same order (no deadlocks).
    const sorted = [...rows].sort((a, b) => a.targetId - b.targetId || a.result.scheduledAt - b.result.scheduledAt);
    return this.ds.transaction(async (m) => {
      let inserted = 0;
      if (sorted.length) {
        const r = sorted.map((x) => x.result);
        const res: { n: number }[] = await m.query(
          `with r as (
             select * from unnest($1::int[], $2::float8[], $3::float8[], $4::real[], $5::boolean[], $6::text[], $7::text[], $8::real[], $9::float8[], $10::smallint[])
               as t(target_id, scheduled_ms, started_ms, duration_ms, success, reason, role, lag_seconds, lag_bytes, http_status)
           ), ins as (
             insert into probe_results (target_id, scheduled_at, started_at, duration_ms, success, reason, role, lag_seconds, lag_bytes, http_status)
             select target_id, to_timestamp(scheduled_ms / 1000), to_timestamp(started_ms / 1000), duration_ms, success, reason, role, lag_seconds, lag_bytes, http_status from r
             on conflict do nothing
             returning target_id, scheduled_at, success, duration_ms
           ), roll as (
             insert into probe_rollup_minute as m (target_id, minute, total, successes, latency_sum_ms, latency_max_ms, ${LAT_COLUMNS.join(', ')})
             select target_id, date_trunc('minute', scheduled_at), count(*), count(*) filter (where success), sum(duration_ms), max(duration_ms),
                    ${LAT_COUNTS}
               from ins group by 1, 2 order by 1, 2
             on conflict (target_id, minute) do update set
               total = m.total + excluded.total,
               successes = m.successes + excluded.successes,
               latency_sum_ms = m.latency_sum_ms + excluded.latency_sum_ms,
               latency_max_ms = greatest(m.latency_max_ms, excluded.latency_max_ms),
               ${LAT_ADD}
           ), wm as (
             -- Minutes before the SLO compaction's watermark are already copied into the day
             -- rollups: their counts go to probe_rollup_late too, for the next compaction to merge.
             -- Read FOR SHARE, so the watermark cannot move while this statement commits.
             select at from slo_rollup_state where key = 'compacted_before' for share
           ), late as (
             insert into probe_rollup_late as m (target_id, minute, total, successes, latency_sum_ms, latency_max_ms, ${LAT_COLUMNS.join(', ')})
             select target_id, date_trunc('minute', scheduled_at), count(*), count(*) filter (where success), sum(duration_ms), max(duration_ms),
                    ${LAT_COUNTS}
               from ins where scheduled_at < (select at from wm) group by 1, 2 order by 1, 2
             on conflict (target_id, minute) do update set
               total = m.total + excluded.total,
               successes = m.successes + excluded.successes,
               latency_sum_ms = m.latency_sum_ms + excluded.latency_sum_ms,
               latency_max_ms = greatest(m.latency_max_ms, excluded.latency_max_ms),
               ${LAT_ADD}
           )
           select count(*)::int as n from ins`,
          [
            sorted.map((x) => x.targetId),
            r.map((x) => x.scheduledAt),
            r.map((x) => x.startedAt),
            r.map((x) => x.durationMs),
            r.map((x) => x.up),
            r.map((x) => x.reason ?? null),
            r.map((x) => x.role ?? null),
            r.map((x) => x.lagSeconds ?? null),
            r.map((x) => x.lagBytes ?? null),
            r.map((x) => x.httpStatus ?? null),
          ],
        );
        inserted = res[0].n;
      }
      if (states.length) await this.upsertStates(m, states);
      return inserted;
    });
  }

  private async upsertStates(m: { query(sql: string, params: unknown[]): Promise<unknown> }, states: StateRow[]): Promise<void> {
    const rows = [...states]
      .filter((s) => s.state.lastResult)
      .sort((a, b) => a.targetId - b.targetId)
      .map(({ targetId, state }) => {
        const r = state.lastResult!;
        return {
          target_id: targetId,
          status: state.status,
          status_since: toTs(state.since || undefined),
          last_scheduled_at: toTs(r.scheduledAt),
          last_success: r.up,
          last_duration_ms: r.durationMs,
          last_reason: r.reason ?? null,
          last_warning: r.warning ?? null,
          role: r.role ?? null,
          leader: r.leader ?? null,
          epoch: r.epoch ?? null,
          lag_seconds: r.lagSeconds ?? null,
          lag_bytes: r.lagBytes ?? null,
          http_status: r.httpStatus ?? null,
          cert_expiry: r.certExpiry ?? null,
          consecutive_failures: state.consecutiveFailures,
          consecutive_successes: state.consecutiveSuccesses,
          first_failure_at: toTs(state.firstFailureAt),
          observation: { peers: r.peers, details: r.details },
        };
      });
    // Only newer observations win: a slow replica's late flush must not roll the state back.
    // A prober that takes a target over (another replica died, or restarted) starts from
    // "unknown", so its first result looks like a fresh transition. The stored `since` is kept
    // when the status is the same, no opposite result was recorded in between and the gap is
    // short: the target did not really change state.
    await m.query(
      `insert into target_state as s (target_id, status, status_since, last_scheduled_at, last_success, last_duration_ms, last_reason, last_warning,
              role, leader, epoch, lag_seconds, lag_bytes, http_status, cert_expiry, consecutive_failures, consecutive_successes, first_failure_at, observation, updated_at)
       select target_id, status, to_timestamp(status_since), to_timestamp(last_scheduled_at), last_success, last_duration_ms, last_reason, last_warning,
              role, leader, epoch, lag_seconds, lag_bytes, http_status, to_timestamp(cert_expiry), consecutive_failures, consecutive_successes,
              to_timestamp(first_failure_at), observation, now()
         from jsonb_to_recordset($1::jsonb) as x(target_id int, status text, status_since float8, last_scheduled_at float8, last_success boolean,
              last_duration_ms real, last_reason text, last_warning text, role text, leader text, epoch text, lag_seconds float8, lag_bytes float8,
              http_status smallint, cert_expiry float8, consecutive_failures int, consecutive_successes int, first_failure_at float8, observation jsonb)
       on conflict (target_id) do update set
         status = excluded.status,
         status_since = case
           when s.status = excluded.status and s.status_since is not null
            and excluded.last_scheduled_at - s.last_scheduled_at
                <= greatest(interval '5 minutes', 3 * (select t.interval_ms from targets t where t.id = s.target_id) * interval '1 millisecond')
            and not exists (select 1 from probe_results r
                             where r.target_id = s.target_id and r.scheduled_at > s.last_scheduled_at
                               and r.scheduled_at < excluded.last_scheduled_at and r.success <> excluded.last_success)
           then s.status_since else excluded.status_since end,
         last_scheduled_at = excluded.last_scheduled_at,
         last_success = excluded.last_success, last_duration_ms = excluded.last_duration_ms, last_reason = excluded.last_reason,
         last_warning = excluded.last_warning, role = excluded.role, leader = excluded.leader, epoch = excluded.epoch,
         lag_seconds = excluded.lag_seconds, lag_bytes = excluded.lag_bytes, http_status = excluded.http_status,
         cert_expiry = excluded.cert_expiry, consecutive_failures = excluded.consecutive_failures,
         consecutive_successes = excluded.consecutive_successes, first_failure_at = excluded.first_failure_at,
         observation = excluded.observation, updated_at = now()
       where s.last_scheduled_at <= excluded.last_scheduled_at`,
      [JSON.stringify(rows)],
    );
  }
}
