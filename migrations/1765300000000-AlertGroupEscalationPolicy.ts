import { MigrationInterface, QueryRunner } from 'typeorm';

/** How far an alert group's escalation policy has paged: items due up to this time were sent. */
export class AlertGroupEscalationPolicy1765300000000 implements MigrationInterface {
  name = 'AlertGroupEscalationPolicy1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table alert_groups add column escalation_sent_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table alert_groups drop column if exists escalation_sent_until`);
  }
}
