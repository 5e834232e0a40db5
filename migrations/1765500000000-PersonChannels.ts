import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A person paged by an escalation policy is called (`phone`) and texted (`sms`) through a Twilio
 * receiver: two channels of their own, so a call and a text are separate outbox rows.
 */
export class PersonChannels1765500000000 implements MigrationInterface {
  name = 'PersonChannels1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications drop constraint if exists notifications_channel_check`);
    await q.query(
      `alter table notifications add constraint notifications_channel_check
         check (channel in ('email', 'webhook', 'pagerduty', 'opsgenie', 'slack', 'teams', 'telegram', 'ntfy', 'twilio', 'phone', 'sms'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from notifications where channel in ('phone', 'sms')`);
    await q.query(`alter table notifications drop constraint if exists notifications_channel_check`);
    await q.query(
      `alter table notifications add constraint notifications_channel_check
         check (channel in ('email', 'webhook', 'pagerduty', 'opsgenie', 'slack', 'teams', 'telegram', 'ntfy', 'twilio'))`,
    );
  }
}
