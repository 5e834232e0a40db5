import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reports ledger: one row per report kind and period (e.g. weekly, 2026-W47). Its primary
 * key is what makes a scheduled report go out once however many workers race for it; the row
 * names the outbox notifications that carry it.
 */
export class CreateReports1764300000000 implements MigrationInterface {
  name = 'CreateReports1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table reports (
        kind             text not null,
        period           text not null,
        period_start     timestamptz not null,
        period_end       timestamptz not null,
        scheduled_for    timestamptz,
        created_at       timestamptz not null default now(),
        created_by       text not null,
        notification_ids text[] not null default '{}',
        primary key (kind, period)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists reports`);
  }
}
