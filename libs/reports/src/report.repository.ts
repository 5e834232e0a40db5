import type { FailoverCount, FlappyTarget, IncidentInput } from './weekly-model';
import { secondsToMs, toIso } from '../../common/src/time';

/** Anything that runs SQL: a DataSource, or an EntityManager inside a transaction. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/**
 * What the weekly report reads besides SLOs, always for an explicit [start, end): incidents and
 * their measurements (the documented nines_incidents view), failovers (nines_failovers) and the
 * targets that flapped most (raw probe_results, kept only storage.raw_retention).
 */
export class ReportRepository {
  constructor(private readonly db: Queryable) {}

  /** Incidents opened in the period, with the measurements the incident code recorded. */
  async incidents(start: number, end: number): Promise<IncidentInput[]> {
    const rows: any[] = await this.db.query(
      `select id::int, state, severity, title, root_system, systems, drill, failovers, opened_at, acknowledged_at, acknowledged_by, resolved_at,
              time_to_detect_seconds, rto_seconds, rpo_lag_seconds, rpo_lag_bytes, rpo_lsn_diff_bytes, time_to_acknowledge_seconds, time_to_resolve_seconds
         from nines_incidents where opened_at >= $1 and opened_at < $2 order by opened_at, id`,
      [toIso(start), toIso(end)],
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      // The state as of the end of the period, not as of now.
      state: r.resolved_at && new Date(r.resolved_at).getTime() < end ? 'resolved' : 'open',
      rootSystem: r.root_system,
      systems: r.systems,
      drill: r.drill,
      failovers: r.failovers,
      openedAt: new Date(r.opened_at).getTime(),
      acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at).getTime() : undefined,
      acknowledgedBy: r.acknowledged_by ?? undefined,
      resolvedAt: r.resolved_at ? new Date(r.resolved_at).getTime() : undefined,
      ttdMs: secondsToMs(r.time_to_detect_seconds),
      rtoMs: secondsToMs(r.rto_seconds),
      rpoLagSeconds: num(r.rpo_lag_seconds),
      rpoLagBytes: num(r.rpo_lag_bytes),
      rpoLsnDiffBytes: num(r.rpo_lsn_diff_bytes),
      ttaMs: secondsToMs(r.time_to_acknowledge_seconds),
      ttrMs: secondsToMs(r.time_to_resolve_seconds),
    }));
  }

  /** Incidents (drills excluded) opened before `end` and not resolved by then. */
  async openAt(end: number): Promise<number> {
    const [r] = await this.db.query(`select count(*)::int as n from incidents where not drill and opened_at < $1 and (resolved_at is null or resolved_at >= $1)`, [toIso(end)]);
    return r.n;
  }

  /** Leader changes and VIP moves per system; drills counted apart. */
  async failovers(start: number, end: number): Promise<FailoverCount[]> {
    return this.db.query(
      `select system, (count(*) filter (where not drill))::int as failovers, (count(*) filter (where drill))::int as drills
         from nines_failovers where at >= $1 and at < $2 group by system order by 2 desc, 3 desc, 1`,
      [toIso(start), toIso(end)],
    );
  }

  /**
   * Targets by how often their result changed between success and failure from one probe to the
   * next within the period (the first result of the period counts no flip).
   */
  async flappiest(start: number, end: number, limit = 10): Promise<FlappyTarget[]> {
    const rows: any[] = await this.db.query(
      `with r as (
         select target_id, success, lag(success) over (partition by target_id order by scheduled_at) as prev
           from probe_results where scheduled_at >= $1 and scheduled_at < $2
       )
       select t.key as target, t.system, t.member, count(*)::int as results,
              (count(*) filter (where not r.success))::int as failures,
              (count(*) filter (where r.prev is distinct from r.success and r.prev is not null))::int as flips
         from r join targets t on t.id = r.target_id
        group by t.key, t.system, t.member
       having count(*) filter (where r.prev is distinct from r.success and r.prev is not null) > 0
        order by flips desc, failures desc, target
        limit $3`,
      [toIso(start), toIso(end), limit],
    );
    return rows.map((r) => ({ target: r.target, system: r.system ?? undefined, member: r.member ?? undefined, flips: r.flips, results: r.results, failures: r.failures }));
  }

  /** The oldest raw result kept, to say when a week's flapping is only partly known. */
  async oldestRawResult(): Promise<number | undefined> {
    const [r] = await this.db.query(`select min(scheduled_at) as t from probe_results`);
    return r?.t ? new Date(r.t).getTime() : undefined;
  }
}
