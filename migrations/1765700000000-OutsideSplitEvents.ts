import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Split brain seen from outside (issue 17) is kept as events of the system; the locations watch
 * looks up which systems have one open: a partial index keeps that lookup off the whole table.
 */
export class OutsideSplitEvents1765700000000 implements MigrationInterface {
  name = 'OutsideSplitEvents1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index events_outside_split_idx on events (system, at desc, id desc) where kind in ('split_brain_outside', 'split_brain_outside_resolved')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index if exists events_outside_split_idx`);
  }
}
