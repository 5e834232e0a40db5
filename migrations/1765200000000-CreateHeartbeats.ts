import { MigrationInterface, QueryRunner } from 'typeorm';

/** Push monitors: when each heartbeat was first known and last pushed. */
export class CreateHeartbeats1765200000000 implements MigrationInterface {
  name = 'CreateHeartbeats1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table heartbeats (name text primary key, first_seen_at timestamptz not null default now(), last_push_at timestamptz, pushes bigint not null default 0, last_push_from text)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists heartbeats`);
  }
}
