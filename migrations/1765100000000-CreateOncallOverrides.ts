import { MigrationInterface, QueryRunner } from 'typeorm';

/** Shift swaps made over the API (on top of the config's own overrides), shared by every replica. */
export class CreateOncallOverrides1765100000000 implements MigrationInterface {
  name = 'CreateOncallOverrides1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table oncall_overrides (
        id bigserial primary key,
        schedule text not null,
        person text not null,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        created_at timestamptz not null default now(),
        created_by text not null,
        deleted_at timestamptz,
        check (ends_at > starts_at)
      )`);
    await q.query(`create index oncall_overrides_live on oncall_overrides (schedule, ends_at) where deleted_at is null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists oncall_overrides`);
  }
}
