import type { DataSource } from 'typeorm';
import type { HeartbeatState } from './heartbeat';

/** Heartbeat pushes in PostgreSQL, so a push to any replica counts for all. */
export class HeartbeatRepository {
  constructor(private readonly ds: DataSource) {}

  /** Starts the clock of heartbeats Nines has not seen before (config load and reload). */
  async ensure(names: string[]): Promise<void> {
    if (names.length) await this.ds.query(`insert into heartbeats (name) select unnest($1::text[]) on conflict (name) do nothing`, [names]);
  }

  async push(name: string, at: Date, from: string | undefined): Promise<void> {
    await this.ds.query(
      `insert into heartbeats (name, last_push_at, pushes, last_push_from) values ($1, $2, 1, $3)
       on conflict (name) do update set last_push_at = greatest(heartbeats.last_push_at, excluded.last_push_at), pushes = heartbeats.pushes + 1, last_push_from = excluded.last_push_from`,
      [name, at, from ?? null],
    );
  }

  async states(): Promise<Map<string, HeartbeatState & { pushes: number; lastPushFrom?: string }>> {
    const rows: { name: string; first_seen_at: Date; last_push_at: Date | null; pushes: string; last_push_from: string | null }[] = await this.ds.query(
      `select name, first_seen_at, last_push_at, pushes, last_push_from from heartbeats`,
    );
    return new Map(rows.map((r) => [r.name, { since: new Date(r.first_seen_at).getTime(), lastPushAt: r.last_push_at ? new Date(r.last_push_at).getTime() : undefined, pushes: Number(r.pushes), lastPushFrom: r.last_push_from ?? undefined }]));
  }
}
