import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per alert row, for compare-and-set: the replica that evaluates an alert writes its
 * change only over the version it read, so a replica with an old view (a target it owned before,
 * a system another replica also folds) cannot overwrite a newer state.
 */
export class AlertVersions1764800000000 implements MigrationInterface {
  name = 'AlertVersions1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table alerts add column version bigint not null default 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table alerts drop column if exists version`);
  }
}
