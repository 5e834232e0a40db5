import type { DataSource } from 'typeorm';
import { rowsOf } from '../../common/src/rows';
import type { NotificationPayload } from './notification';

export interface ClaimedNotification {
  id: string;
  receiver: string;
  channel: 'email' | 'webhook';
  payload: NotificationPayload;
  attempts: number;
  first_alert_at: Date | null;
}

/**
 * The notification outbox and log. A delivery claims its row before sending (so a duplicate job
 * finds it taken or done), and records the outcome after. A row left 'sending' by a worker that
 * died is claimable again once it is older than `staleMs`.
 */
export class NotificationRepository {
  constructor(private readonly ds: DataSource) {}

  async claim(id: string, staleMs: number): Promise<ClaimedNotification | undefined> {
    const rows = rowsOf<ClaimedNotification>(await this.ds.query(
      `update notifications set state = 'sending', attempts = attempts + 1, last_attempt_at = now()
        where id = $1 and (state in ('pending', 'failed') or (state = 'sending' and last_attempt_at < now() - $2::interval))
        returning id, receiver, channel, payload, attempts, first_alert_at`,
      [id, `${staleMs} milliseconds`],
    ));
    return rows[0];
  }

  async state(id: string): Promise<string | undefined> {
    const rows: { state: string }[] = await this.ds.query('select state from notifications where id = $1', [id]);
    return rows[0]?.state;
  }

  async sent(id: string): Promise<Date> {
    const [r] = rowsOf<{ sent_at: Date }>(await this.ds.query(`update notifications set state = 'sent', sent_at = now(), last_error = null where id = $1 returning sent_at`, [id]));
    return r.sent_at;
  }

  async failed(id: string, error: string): Promise<void> {
    await this.ds.query(`update notifications set state = 'failed', last_error = $2 where id = $1 and state = 'sending'`, [id, error]);
  }

  async dead(id: string, error: string): Promise<void> {
    await this.ds.query(`update notifications set state = 'dead', last_error = $2 where id = $1 and state <> 'sent'`, [id, error]);
  }

  /** Rows that should be in the queue but may not be (never enqueued, or Redis lost them). */
  async forRelay(olderThanMs: number, limit = 500): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(await this.ds.query(
      `update notifications set enqueued_at = now()
        where id in (select id from notifications
                      where (state in ('pending', 'failed') and (enqueued_at is null or enqueued_at < now() - $1::interval))
                         or (state = 'sending' and last_attempt_at < now() - $1::interval)
                      order by created_at limit $2 for update skip locked)
        returning id`,
      [`${olderThanMs} milliseconds`, limit],
    ));
    return rows.map((r) => r.id);
  }

  async markEnqueued(ids: string[]): Promise<void> {
    if (ids.length) await this.ds.query('update notifications set enqueued_at = now() where id = any($1)', [ids]);
  }

  async list(filter: { state?: string; receiver?: string; limit: number }) {
    return this.ds.query(
      `select id, receiver, channel, kind, state, attempts, last_error, created_at, first_alert_at, enqueued_at, last_attempt_at, sent_at,
              payload->>'status' as status, jsonb_array_length(payload->'alerts') as alerts
         from notifications where ($1::text is null or state = $1) and ($2::text is null or receiver = $2)
        order by created_at desc limit $3`,
      [filter.state ?? null, filter.receiver ?? null, filter.limit],
    );
  }
}
