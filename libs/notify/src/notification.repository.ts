import type { DataSource } from 'typeorm';
import { rowsOf } from '../../common/src/rows';
import type { Channel, NotificationPayload } from './notification';

export interface ClaimedNotification {
  id: string;
  receiver: string;
  channel: Channel;
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
    return (await this.claimMany([id], staleMs)).get(id);
  }

  /**
   * claim() of many rows in one statement, for a worker with many deliveries in flight. The
   * row-level update is the same, so each row is still claimed by one caller at most.
   */
  async claimMany(ids: string[], staleMs: number): Promise<Map<string, ClaimedNotification>> {
    const rows = rowsOf<ClaimedNotification>(await this.ds.query(
      `update notifications set state = 'sending', attempts = attempts + 1, last_attempt_at = now()
        where id = any($1) and (state in ('pending', 'failed') or (state = 'sending' and last_attempt_at < now() - $2::interval))
        returning id, receiver, channel, payload, attempts, first_alert_at`,
      [ids, `${staleMs} milliseconds`],
    ));
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * For a claim that waited in its receiver's lane: renews it, unless the row was meanwhile taken
   * by another claim (it went stale and the relay queued it again) or finished.
   */
  async renewClaim(id: string, attempts: number): Promise<boolean> {
    const rows = rowsOf<{ id: string }>(await this.ds.query(
      `update notifications set last_attempt_at = now() where id = $1 and state = 'sending' and attempts = $2 returning id`,
      [id, attempts],
    ));
    return rows.length === 1;
  }

  /** Gives back a claim that never sent anything (the worker is shutting down): as it was before. */
  async releaseClaim(id: string, attempts: number): Promise<boolean> {
    const rows = rowsOf<{ id: string }>(await this.ds.query(
      `update notifications set state = case when attempts > 1 then 'failed' else 'pending' end, attempts = attempts - 1
        where id = $1 and state = 'sending' and attempts = $2 returning id`,
      [id, attempts],
    ));
    return rows.length === 1;
  }

  async state(id: string): Promise<string | undefined> {
    const rows: { state: string }[] = await this.ds.query('select state from notifications where id = $1', [id]);
    return rows[0]?.state;
  }

  async sent(id: string): Promise<Date | undefined> {
    return (await this.sentMany([id])).get(id);
  }

  /** sent() of many rows in one statement. */
  async sentMany(ids: string[]): Promise<Map<string, Date>> {
    const rows = rowsOf<{ id: string; sent_at: Date }>(
      await this.ds.query(`update notifications set state = 'sent', sent_at = now(), last_error = null where id = any($1) returning id, sent_at`, [ids]),
    );
    return new Map(rows.map((r) => [r.id, r.sent_at]));
  }

  async failed(id: string, error: string): Promise<void> {
    await this.ds.query(`update notifications set state = 'failed', last_error = $2 where id = $1 and state = 'sending'`, [id, error]);
  }

  /** Returns the receiver of the row it dead-lettered (none when it was already sent or dead). */
  async dead(id: string, error: string): Promise<string | undefined> {
    const rows = rowsOf<{ receiver: string }>(await this.ds.query(`update notifications set state = 'dead', last_error = $2 where id = $1 and state not in ('sent', 'dead') returning receiver`, [id, error]));
    return rows[0]?.receiver;
  }

  /**
   * Rows that should be in the queue but may not be (never enqueued, or Redis lost them), and rows
   * left 'sending' by a worker that died — once they are as stale as claim() requires.
   */
  async forRelay(olderThanMs: number, limit = 500, staleSendingMs = olderThanMs): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(await this.ds.query(
      `update notifications set enqueued_at = now()
        where id in (select id from notifications
                      where (state in ('pending', 'failed') and (enqueued_at is null or enqueued_at < now() - $1::interval))
                         or (state = 'sending' and last_attempt_at < now() - $3::interval and (enqueued_at is null or enqueued_at < now() - $1::interval))
                      order by created_at limit $2 for update skip locked)
        returning id`,
      [`${olderThanMs} milliseconds`, limit, `${staleSendingMs} milliseconds`],
    ));
    return rows.map((r) => r.id);
  }

  /** Gives rows taken by forRelay back when they could not be enqueued (Redis away). */
  async releaseRelay(ids: string[]): Promise<void> {
    if (ids.length) await this.ds.query(`update notifications set enqueued_at = null where id = any($1) and state <> 'sent' and state <> 'dead'`, [ids]);
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
