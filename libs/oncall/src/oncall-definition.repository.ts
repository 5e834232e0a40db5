import type { DataSource } from 'typeorm';
import type { Clock } from '../../common/src/clock';
import type { ApiDefinition, OnCallKind, OnCallSpec } from './api-definitions';

/** How long a read of the API's people, schedules and policies is reused (every replica sees a change within this). */
export const DEFINITIONS_CACHE_MS = 1000;
/** Serialises writes across replicas, so a reference checked in a write still holds when it commits. */
export const ONCALL_DEFINITIONS_LOCK_ID = 7_297_297_015;

export type DefinitionChange =
  | { op: 'insert' | 'update'; kind: OnCallKind; name: string; spec: OnCallSpec; by: string }
  | { op: 'delete'; kind: OnCallKind; name: string };

const COLUMNS = `kind, name, spec, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, created_by,
  to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as updated_at, updated_by`;

/** People, schedules and escalation policies made over the API (oncall_definitions). */
export class OnCallDefinitionRepository {
  private cache?: { at: number; rows: Promise<ApiDefinition[]> };
  private last?: { text: string; rows: ApiDefinition[] };

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<ApiDefinition[]> {
    return this.ds.query(`select ${COLUMNS} from oncall_definitions order by kind, name`);
  }

  /**
   * The rows as of at most DEFINITIONS_CACHE_MS ago, for the dispatcher and the API on every
   * replica. The same array comes back while nothing changed, so what is built from it (the
   * merged view, routing, notifiers) is built once per change.
   */
  cached(): Promise<ApiDefinition[]> {
    const now = this.clock.now();
    if (this.cache && now - this.cache.at < DEFINITIONS_CACHE_MS) return this.cache.rows;
    const rows = this.list().then((fresh) => {
      const text = JSON.stringify(fresh);
      if (this.last?.text === text) return this.last.rows;
      this.last = { text, rows: fresh };
      return fresh;
    });
    this.cache = { at: now, rows };
    rows.catch(() => {
      if (this.cache?.rows === rows) this.cache = undefined;
    });
    return rows;
  }

  /**
   * One write, decided on the rows as they are under the lock: `decide` sees them, validates
   * (throwing to refuse) and names the change; returns the row as it was before.
   */
  async write(decide: (current: ApiDefinition[]) => DefinitionChange): Promise<ApiDefinition | undefined> {
    const before = await this.ds.transaction(async (m) => {
      await m.query('select pg_advisory_xact_lock($1)', [ONCALL_DEFINITIONS_LOCK_ID]);
      const current: ApiDefinition[] = await m.query(`select ${COLUMNS} from oncall_definitions order by kind, name`);
      const change = decide(current);
      const was = current.find((d) => d.kind === change.kind && d.name === change.name);
      if (change.op === 'insert') {
        await m.query(`insert into oncall_definitions (kind, name, spec, created_by, updated_by) values ($1, $2, $3, $4, $4)`, [change.kind, change.name, JSON.stringify(change.spec), change.by]);
      } else if (change.op === 'update') {
        await m.query(`update oncall_definitions set spec = $3, updated_at = now(), updated_by = $4 where kind = $1 and name = $2`, [change.kind, change.name, JSON.stringify(change.spec), change.by]);
      } else {
        await m.query(`delete from oncall_definitions where kind = $1 and name = $2`, [change.kind, change.name]);
      }
      return was;
    });
    this.cache = undefined;
    return before;
  }
}
