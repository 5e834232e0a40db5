import type { DataSource } from 'typeorm';

export interface IncidentFilter {
  state?: 'open' | 'resolved';
  system?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

export interface IncidentView {
  id: number;
  state: string;
  severity: string;
  title: string;
  root_system: string;
  systems: string[];
  drill: boolean;
  failovers: number;
  opened_at: Date;
  first_failure_at: Date | null;
  detected_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  measurements: Record<string, unknown>;
}

const COLUMNS = `id::int, state, severity, title, root_system, systems, drill, failovers, opened_at, first_failure_at, detected_at,
  acknowledged_at, acknowledged_by, resolved_at, measurements`;

/** Read side of incidents for the API and metrics. */
export class IncidentQuery {
  constructor(private readonly ds: DataSource) {}

  list(f: IncidentFilter): Promise<IncidentView[]> {
    return this.ds.query(
      `select ${COLUMNS} from incidents
        where ($1::text is null or state = $1) and ($2::text is null or $2 = any(systems))
          and ($3::timestamptz is null or coalesce(resolved_at, 'infinity') >= $3) and ($4::timestamptz is null or opened_at <= $4)
        order by opened_at desc limit $5`,
      [f.state ?? null, f.system ?? null, f.since ?? null, f.until ?? null, f.limit],
    );
  }

  async get(id: number): Promise<IncidentView | undefined> {
    const rows: IncidentView[] = await this.ds.query(`select ${COLUMNS} from incidents where id = $1`, [id]);
    return rows[0];
  }

  async openCount(): Promise<{ severity: string; drill: boolean; n: number }[]> {
    return this.ds.query(`select severity, drill, count(*)::int as n from incidents where state = 'open' group by 1, 2`);
  }

  async failoversBySystem(): Promise<{ system: string; n: number }[]> {
    return this.ds.query(`select system, count(*)::int as n from events where kind in ('leader_changed', 'vip_moved') and not drill group by 1`);
  }
}
