import type { DataSource } from 'typeorm';
import type { NinesConfig } from '../../config/src/config';

/** The registry of systems and targets, synced from the config on start and on every reload. */
export class TargetRepository {
  constructor(private readonly ds: DataSource) {}

  /** Upserts systems and targets; marks the ones no longer configured as removed. Returns key → id. */
  async sync(config: NinesConfig): Promise<Map<string, number>> {
    return this.ds.transaction(async (m) => {
      const sys = config.systems;
      await m.query(
        `insert into systems (name, layer, kind, description, depends_on, expect, labels, updated_at, removed_at)
         select s.name, s.layer, s.kind, s.description, array(select jsonb_array_elements_text(s.depends_on)), s.expect, s.labels, now(), null
           from jsonb_to_recordset($1::jsonb) as s(name text, layer text, kind text, description text, depends_on jsonb, expect jsonb, labels jsonb)
         on conflict (name) do update set layer = excluded.layer, kind = excluded.kind, description = excluded.description,
           depends_on = excluded.depends_on, expect = excluded.expect, labels = excluded.labels, updated_at = now(), removed_at = null`,
        [JSON.stringify(sys.map((s) => ({ name: s.name, layer: s.layer, kind: s.kind, description: s.description ?? null, depends_on: s.dependsOn, expect: s.expect, labels: s.labels })))],
      );
      await m.query(`update systems set removed_at = now() where removed_at is null and not (name = any($1::text[]))`, [sys.map((s) => s.name)]);
      const rows = config.targets.map((t) => ({
        key: t.key,
        name: t.name,
        system: t.system ?? null,
        member: t.member ?? null,
        layer: t.layer ?? null,
        kind: t.probe.kind,
        is_endpoint: !!t.isEndpoint,
        interval_ms: t.intervalMs,
        timeout_ms: t.timeoutMs,
        labels: t.labels,
      }));
      const ids: { id: number; key: string }[] = await m.query(
        `insert into targets (key, name, system, member, layer, kind, is_endpoint, interval_ms, timeout_ms, labels, updated_at, removed_at)
         select t.key, t.name, t.system, t.member, t.layer, t.kind, t.is_endpoint, t.interval_ms, t.timeout_ms, t.labels, now(), null
           from jsonb_to_recordset($1::jsonb) as t(key text, name text, system text, member text, layer text, kind text,
                is_endpoint boolean, interval_ms integer, timeout_ms integer, labels jsonb)
          order by t.key
         on conflict (key) do update set name = excluded.name, system = excluded.system, member = excluded.member,
           layer = excluded.layer, kind = excluded.kind, is_endpoint = excluded.is_endpoint, interval_ms = excluded.interval_ms,
           timeout_ms = excluded.timeout_ms, labels = excluded.labels, updated_at = now(), removed_at = null
         returning id, key`,
        [JSON.stringify(rows)],
      );
      await m.query(`update targets set removed_at = now() where removed_at is null and not (key = any($1::text[]))`, [rows.map((r) => r.key)]);
      return new Map(ids.map((r) => [r.key, r.id]));
    });
  }
}
