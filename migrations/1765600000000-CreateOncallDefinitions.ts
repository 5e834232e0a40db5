import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People, schedules and escalation policies made over the API, beside the config's (which the
 * API cannot change): one row per (kind, name), the config's YAML shape in `spec`, read by every
 * replica.
 */
export class CreateOncallDefinitions1765600000000 implements MigrationInterface {
  name = 'CreateOncallDefinitions1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table oncall_definitions (
        kind text not null check (kind in ('person', 'schedule', 'escalation_policy')),
        name text not null,
        spec jsonb not null,
        created_at timestamptz not null default now(),
        created_by text not null,
        updated_at timestamptz not null default now(),
        updated_by text not null,
        primary key (kind, name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists oncall_definitions`);
  }
}
