import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secrets the deployment generates for itself, shared by every replica: the key that signs
 * acknowledgement links when the config sets no `alerting.ack_secret`.
 */
export class CreateInstanceSecrets1764500000000 implements MigrationInterface {
  name = 'CreateInstanceSecrets1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table instance_secrets (name text primary key, value text not null, created_at timestamptz not null default now())`);
    await q.query(`insert into instance_secrets (name, value) values ('ack', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists instance_secrets`);
  }
}
