import type { DataSource } from 'typeorm';
import { DomainError } from '../../common/src/errors';

export interface DrillRow {
  id: number;
  system: string;
  started_at: Date;
  ended_at: Date | null;
  started_by: string | null;
  note: string | null;
}

/**
 * Planned switchovers. While a drill runs on a system, its events and incidents are marked as
 * drill: recorded with the same timeline and measurements, never counted as an outage.
 */
export class DrillRepository {
  constructor(private readonly ds: DataSource) {}

  async start(system: string, by: string, note?: string): Promise<DrillRow> {
    const known: unknown[] = await this.ds.query('select 1 from systems where name = $1 and removed_at is null', [system]);
    if (!known.length) throw new DomainError('not_found', `no system named ${JSON.stringify(system)}`);
    try {
      const [row]: DrillRow[] = await this.ds.query(
        'insert into drills (system, started_by, note) values ($1, $2, $3) returning id, system, started_at, ended_at, started_by, note',
        [system, by, note ?? null],
      );
      return row;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new DomainError('conflict', `a drill is already running on ${system}`);
      throw err;
    }
  }

  async stop(system: string): Promise<DrillRow> {
    // Wrapped in a select: TypeORM answers a bare UPDATE with [rows, rowCount], not the rows.
    const rows: DrillRow[] = await this.ds.query(
      `with stopped as (update drills set ended_at = now() where system = $1 and ended_at is null returning id, system, started_at, ended_at, started_by, note)
       select * from stopped`,
      [system],
    );
    if (!rows.length) throw new DomainError('not_found', `no drill is running on ${system}`);
    return rows[0];
  }

  async list(): Promise<DrillRow[]> {
    return this.ds.query('select id, system, started_at, ended_at, started_by, note from drills order by started_at desc limit 200');
  }
}
