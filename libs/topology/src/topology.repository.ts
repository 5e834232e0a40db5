import type { DataSource, EntityManager } from 'typeorm';
import type { SystemTopology } from './topology';

/** A system's topology as stored, with the version a writer must name to replace it. */
export interface StoredTopology {
  topology?: SystemTopology;
  version: number;
  healthy: boolean;
}

/**
 * The `topology` table: one row per system, replaced by compare-and-set on its version. The
 * writes take the caller's EntityManager, so the row changes in the same transaction as the
 * events and incidents recorded with it.
 */
export class TopologyRepository {
  constructor(private readonly ds: DataSource) {}

  async load(system: string): Promise<StoredTopology> {
    const rows: { state: SystemTopology; version: string; healthy: boolean }[] = await this.ds.query('select state, version, healthy from topology where system = $1', [system]);
    return rows.length ? { topology: rows[0].state, version: Number(rows[0].version), healthy: rows[0].healthy } : { version: 0, healthy: true };
  }

  /** Stored topologies of these systems (all when `systems` is omitted), for the console. */
  async loadMany(systems?: string[]): Promise<Map<string, StoredTopology>> {
    const rows: { system: string; state: SystemTopology; version: string; healthy: boolean }[] = await this.ds.query(
      'select system, state, version, healthy from topology where $1::text[] is null or system = any($1)',
      [systems ?? null],
    );
    return new Map(rows.map((r) => [r.system, { topology: r.state, version: Number(r.version), healthy: r.healthy }]));
  }

  /** The new version, or undefined when another writer moved the row past `expectedVersion`. */
  async compareAndSet(m: EntityManager, w: { system: string; topology: SystemTopology; healthy: boolean; expectedVersion: number }): Promise<number | undefined> {
    const saved: { version: string }[] = await m.query(
      `insert into topology as t (system, state, healthy, version, updated_at) values ($1, $2, $3, 1, now())
       on conflict (system) do update set state = excluded.state, healthy = excluded.healthy, version = t.version + 1, updated_at = now()
         where t.version = $4
       returning version`,
      [w.system, JSON.stringify(w.topology), w.healthy, w.expectedVersion],
    );
    return saved.length ? Number(saved[0].version) : undefined;
  }

  /** Stored health of these systems; a system never stored is missing from the map. */
  async healthOf(m: EntityManager, systems: string[]): Promise<Map<string, boolean>> {
    const rows: { system: string; healthy: boolean }[] = await m.query('select system, healthy from topology where system = any($1)', [systems]);
    return new Map(rows.map((r) => [r.system, r.healthy]));
  }
}
