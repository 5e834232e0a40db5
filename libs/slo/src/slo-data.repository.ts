import type { DataSource } from 'typeorm';
import { toDate, toMs } from '../../common/src/time';
import { SilenceRepository } from '../../silences/src/silence.repository';
import type { RawSlo } from './definition';
import type { ExclusionInputs } from './exclusions';
import type { Registry, RegistryTarget } from './selection';
import type { TimeIntervalSpec } from '../../alerting/src/time-intervals';

/** Serialises SLO definitions through the API across replicas, so limits.api_slos holds. */
export const API_SLO_LIMIT_LOCK_ID = 7_297_297_012;

/** What SLO evaluation reads besides the rollups: the target registry, drills, silences, API-defined SLOs. */
export class SloDataRepository {
  private readonly silences: SilenceRepository;

  constructor(private readonly ds: DataSource) {
    this.silences = new SilenceRepository(ds);
  }

  /** Current targets and the ids of system series (created for systems that lack one). */
  async registry(): Promise<Registry> {
    const rows: { id: number; key: string; system: string | null; member: string | null; is_endpoint: boolean; interval_ms: number; labels: Record<string, string> }[] = await this.ds.query(
      `select id, key, system, member, is_endpoint, interval_ms, labels from targets where removed_at is null order by id`,
    );
    const targets: RegistryTarget[] = rows.map((r) => ({ id: r.id, key: r.key, system: r.system, member: r.member, isEndpoint: r.is_endpoint, intervalMs: r.interval_ms, labels: r.labels ?? {} }));
    let series: { id: number; system: string }[] = await this.ds.query(`select id, system from slo_system_series`);
    const systems = [...new Set(targets.map((t) => t.system).filter((s): s is string => !!s))];
    if (systems.some((s) => !series.find((x) => x.system === s))) {
      await this.ds.query(`insert into slo_system_series (system) select unnest($1::text[]) order by 1 on conflict do nothing`, [systems.sort()]);
      series = await this.ds.query(`select id, system from slo_system_series`);
    }
    return { targets, systemSeries: new Map(series.map((s) => [s.system, s.id])) };
  }

  /** Drills and silences that overlap [from, now]; time intervals come from the config. */
  async exclusionInputs(from: number, now: number, timeIntervals: Map<string, TimeIntervalSpec[]>): Promise<ExclusionInputs> {
    const [drills, silences] = await Promise.all([
      this.ds.query(`select system, started_at, ended_at from drills where started_at < $2 and (ended_at is null or ended_at > $1)`, [toDate(from), toDate(now)]),
      this.silences.overlapping(from, now),
    ]);
    return {
      drills: drills.map((d: { system: string; started_at: Date; ended_at: Date | null }) => ({ system: d.system, start: toMs(d.started_at), end: toMs(d.ended_at) ?? null })),
      silences,
      timeIntervals,
    };
  }

  async apiDefinitions(): Promise<{ spec: RawSlo; createdBy: string; createdAt: number }[]> {
    const rows: { spec: RawSlo; created_by: string; created_at: Date }[] = await this.ds.query(`select spec, created_by, created_at from slo_definitions order by name`);
    return rows.map((r) => ({ spec: r.spec, createdBy: r.created_by, createdAt: r.created_at.getTime() }));
  }

  /**
   * Stores an SLO defined through the API: 'exists' when one of that name already is, or the
   * count when `max` are defined already (counted under an advisory lock, so replicas cannot
   * pass the limit together).
   */
  async createDefinition(spec: RawSlo, by: string, max = Infinity): Promise<'created' | 'exists' | { defined: number }> {
    return this.ds.transaction(async (m) => {
      await m.query('select pg_advisory_xact_lock($1)', [API_SLO_LIMIT_LOCK_ID]);
      const [{ defined, taken }] = await m.query(`select count(*)::int as defined, bool_or(name = $1) as taken from slo_definitions`, [spec.name]);
      if (taken) return 'exists';
      if (defined >= max) return { defined };
      await m.query(`insert into slo_definitions (name, spec, created_by) values ($1, $2, $3)`, [spec.name, spec, by]);
      return 'created';
    });
  }

  async deleteDefinition(name: string): Promise<boolean> {
    const rows = await this.ds.query(`with d as (delete from slo_definitions where name = $1 returning name) select name from d`, [name]);
    return rows.length > 0;
  }
}
