import type { DataSource } from 'typeorm';
import { DomainError } from '../../common/src/errors';

export interface OverrideRow {
  id: number;
  schedule: string;
  person: string;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
  created_by: string;
}

const COLUMNS = 'id::int as id, schedule, person, starts_at, ends_at, created_at, created_by';

/** Shift swaps made over the API; they win over the config's overrides, the newest over older ones. */
export class OverrideRepository {
  constructor(private readonly ds: DataSource) {}

  /** Live overrides of a schedule that have not ended before `since`, oldest first. */
  async forSchedule(schedule: string, since: Date): Promise<OverrideRow[]> {
    return this.ds.query(`select ${COLUMNS} from oncall_overrides where schedule = $1 and deleted_at is null and ends_at > $2 order by created_at, id`, [schedule, since]);
  }

  /** Live overrides that give `person` a shift not ended before `since`. */
  async forPerson(person: string, since: Date): Promise<OverrideRow[]> {
    return this.ds.query(`select ${COLUMNS} from oncall_overrides where person = $1 and deleted_at is null and ends_at > $2 order by created_at, id`, [person, since]);
  }

  async create(o: { schedule: string; person: string; from: Date; until: Date; by: string }): Promise<OverrideRow> {
    const [row]: OverrideRow[] = await this.ds.query(
      `insert into oncall_overrides (schedule, person, starts_at, ends_at, created_by) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
      [o.schedule, o.person, o.from, o.until, o.by],
    );
    return row;
  }

  /** Ends every live override of a schedule (the schedule was deleted), returning them. */
  async removeAll(schedule: string): Promise<OverrideRow[]> {
    return this.ds.query(`with d as (update oncall_overrides set deleted_at = now() where schedule = $1 and deleted_at is null returning ${COLUMNS}) select * from d order by id`, [schedule]);
  }

  async remove(schedule: string, id: number): Promise<OverrideRow> {
    const rows: OverrideRow[] = await this.ds.query(`with d as (update oncall_overrides set deleted_at = now() where id = $1 and schedule = $2 and deleted_at is null returning ${COLUMNS}) select * from d`, [id, schedule]);
    if (!rows.length) throw new DomainError('not_found', `no override ${id} on schedule ${schedule}`);
    return rows[0];
  }
}
