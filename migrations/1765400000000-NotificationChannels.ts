import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receivers beyond email and webhook (PagerDuty, Opsgenie, Slack, Teams, Telegram, ntfy, Twilio):
 * each is a delivery channel of its own, with its own outbox row, lane and notifier.
 */
export class NotificationChannels1765400000000 implements MigrationInterface {
  name = 'NotificationChannels1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications drop constraint if exists notifications_channel_check`);
    await q.query(
      `alter table notifications add constraint notifications_channel_check
         check (channel in ('email', 'webhook', 'pagerduty', 'opsgenie', 'slack', 'teams', 'telegram', 'ntfy', 'twilio'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from notifications where channel not in ('email', 'webhook')`);
    await q.query(`alter table notifications drop constraint if exists notifications_channel_check`);
    await q.query(`alter table notifications add constraint notifications_channel_check check (channel in ('email', 'webhook'))`);
  }
}
