import type { DataSource } from 'typeorm';
import type { SeedState } from '../../probes/src/engine';

export interface TargetView {
  key: string;
  name: string;
  system: string | null;
  member: string | null;
  layer: string | null;
  kind: string;
  is_endpoint: boolean;
  interval_ms: number;
  timeout_ms: number;
  labels: Record<string, string>;
  status: string | null;
  status_since: Date | null;
  last_scheduled_at: Date | null;
  last_success: boolean | null;
  last_duration_ms: number | null;
  last_reason: string | null;
  last_warning: string | null;
  role: string | null;
  leader: string | null;
  epoch: string | null;
  lag_seconds: number | null;
  lag_bytes: number | null;
  http_status: number | null;
  cert_expiry: Date | null;
  consecutive_failures: number | null;
  observation: { peers?: unknown[]; details?: Record<string, unknown> } | null;
}

export interface SystemRow {
  name: string;
  layer: string;
  kind: string;
  description: string | null;
  depends_on: string[];
  expect: Record<string, unknown>;
  labels: Record<string, string>;
}

/** The events that say who a member is (its role) or whether it answers: the system page's role history. */
export const ROLE_EVENT_KINDS = ['member_down', 'member_up', 'role_changed', 'promoted', 'demoted', 'rejoined', 'leader_changed', 'vip_moved', 'switch_master', 'no_primary', 'primary_restored', 'split_brain', 'split_brain_resolved', 'split_brain_outside', 'split_brain_outside_resolved', 'epoch_changed'];

/** Read side for the API and the metrics exporter: every replica answers from the same rows. */
export class StateRepository {
  constructor(private readonly ds: DataSource) {}

  async targets(filter: { system?: string; status?: string } = {}): Promise<TargetView[]> {
    return this.ds.query(
      `select t.key, t.name, t.system, t.member, t.layer, t.kind, t.is_endpoint, t.interval_ms, t.timeout_ms, t.labels,
              s.status, s.status_since, s.last_scheduled_at, s.last_success, s.last_duration_ms, s.last_reason, s.last_warning,
              s.role, s.leader, s.epoch, s.lag_seconds, s.lag_bytes, s.http_status, s.cert_expiry, s.consecutive_failures, s.observation
         from targets t left join target_state s on s.target_id = t.id
        where t.removed_at is null
          and ($1::text is null or t.system = $1)
          and ($2::text is null or coalesce(s.status, 'unknown') = $2)
        order by t.system nulls last, t.is_endpoint desc, t.key`,
      [filter.system ?? null, filter.status ?? null],
    );
  }

  /**
   * Lag as the topology knows it: a member's own figure, or — for replicas that cannot tell
   * (Redis) — the one their primary reports for them.
   */
  async topologyLag(): Promise<{ system: string; member: string; lag_seconds: number | null; lag_bytes: number | null }[]> {
    return this.ds.query(
      `select t.system, m.key as member, (m.value->>'lagSeconds')::float8 as lag_seconds, (m.value->>'lagBytes')::float8 as lag_bytes
         from topology t, jsonb_each(t.state->'members') m
        where m.value->>'status' = 'up' and (m.value ? 'lagSeconds' or m.value ? 'lagBytes')`,
    );
  }

  /**
   * Up/down state as the last prober left it, for a prober that starts probing these targets
   * (its start-up, or a takeover), so thresholds continue instead of starting from 'unknown'.
   */
  async seedStates(keys: string[]): Promise<Map<string, SeedState>> {
    const rows: { key: string; status: 'up' | 'down'; since: Date | null; cf: number | null; cs: number | null; ff: Date | null }[] = await this.ds.query(
      `select t.key, s.status, s.status_since as since, s.consecutive_failures as cf, s.consecutive_successes as cs, s.first_failure_at as ff
         from targets t join target_state s on s.target_id = t.id
        where t.key = any($1) and t.removed_at is null and s.status in ('up', 'down')`,
      [keys],
    );
    return new Map(
      rows.map((r) => [
        r.key,
        { status: r.status, since: r.since ? r.since.getTime() : 0, consecutiveFailures: r.cf ?? 0, consecutiveSuccesses: r.cs ?? 0, firstFailureAt: r.ff ? r.ff.getTime() : undefined },
      ]),
    );
  }

  /**
   * A system's member and role changes between two instants, oldest first (the `events` table,
   * kept without limit): what the system page draws its role history from.
   */
  async roleEvents(system: string, since: Date, until: Date, limit: number): Promise<{ at: Date; member: string | null; kind: string; message: string; details: Record<string, unknown>; incident_id: string | null; drill: boolean }[]> {
    return this.ds.query(
      `select at, member, kind, message, details, incident_id, drill from (
         select * from events
          where system = $1 and at >= $2 and at < $3 and kind = any($4)
          order by at desc, id desc limit $5) e
        order by at, id`,
      [system, since, until, ROLE_EVENT_KINDS, limit],
    );
  }

  /**
   * Replication lag of a system's members from the raw probe results (kept
   * `storage.raw_retention`), the largest in each bucket of `bucketMs`; members that report no lag
   * have no rows.
   */
  async lagSeries(system: string, since: Date, until: Date, bucketMs: number): Promise<{ member: string; bucket: string; lag_seconds: number | null; lag_bytes: number | null }[]> {
    return this.ds.query(
      `select t.member, (floor(extract(epoch from r.scheduled_at) * 1000 / $4) * $4)::bigint::text as bucket,
              max(r.lag_seconds)::float8 as lag_seconds, max(r.lag_bytes)::float8 as lag_bytes
         from probe_results r join targets t on t.id = r.target_id
        where t.system = $1 and not t.is_endpoint and t.member is not null
          and r.scheduled_at >= $2 and r.scheduled_at < $3
          and (r.lag_seconds is not null or r.lag_bytes is not null)
        group by 1, 2 order by 1, 2`,
      [system, since, until, bucketMs],
    );
  }

  async systems(): Promise<SystemRow[]> {
    return this.ds.query(`select name, layer, kind, description, depends_on, expect, labels from systems where removed_at is null order by name`);
  }
}
