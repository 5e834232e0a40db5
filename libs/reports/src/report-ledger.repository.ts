import type { DataSource } from 'typeorm';
import type { NotificationPayload } from '../../notify/src/notification';
import type { Queryable } from './report.repository';
import { toIso } from '../../common/src/time';

export interface ReportPeriod {
  kind: string;
  period: string;
  start: number;
  end: number;
  /** The cron firing this answers; undefined when sent by hand. */
  scheduledFor?: number;
  /** Who sent it: an instance id, or "cli". */
  createdBy: string;
}

export interface OutboxNotification {
  id: string;
  receiver: string;
  channel: 'email' | 'webhook';
  payload: NotificationPayload;
}

export interface ReportRow {
  kind: string;
  period: string;
  createdAt: number;
  createdBy: string;
  scheduledFor?: number;
  notificationIds: string[];
}

export type SendOnceResult = { sent: true; notificationIds: string[] } | { sent: false; existing: ReportRow };


/**
 * The reports ledger: one row per (kind, period), the only thing that decides whether a report
 * was sent. Whoever inserts the row builds the report and writes its notifications to the outbox
 * in the same transaction; every other process (a second replica, a catch-up racing the cron,
 * the CLI) finds the row and does nothing. A build that fails rolls the claim back, so the period
 * is tried again later.
 */
export class ReportLedger {
  constructor(private readonly ds: DataSource) {}

  async sendOnce(p: ReportPeriod, build: (db: Queryable) => Promise<OutboxNotification[]>): Promise<SendOnceResult> {
    const won = await this.ds.transaction(async (m) => {
      const claimed: unknown[] = await m.query(
        `insert into reports (kind, period, period_start, period_end, scheduled_for, created_by) values ($1, $2, $3, $4, $5, $6)
           on conflict (kind, period) do nothing returning period`,
        [p.kind, p.period, toIso(p.start), toIso(p.end), toIso(p.scheduledFor), p.createdBy],
      );
      if (!claimed.length) return undefined;
      const notifications = await build(m);
      for (const n of notifications) {
        await m.query(`insert into notifications (id, receiver, channel, kind, payload, state) values ($1, $2, $3, $4, $5, 'pending') on conflict (id) do nothing`, [
          n.id,
          n.receiver,
          n.channel,
          n.payload.kind,
          JSON.stringify(n.payload),
        ]);
      }
      const ids = notifications.map((n) => n.id);
      await m.query(`update reports set notification_ids = $3 where kind = $1 and period = $2`, [p.kind, p.period, ids]);
      return ids;
    });
    if (won) return { sent: true, notificationIds: won };
    const existing = await this.get(p.kind, p.period);
    if (!existing) throw new Error(`report ${p.kind} ${p.period}: claimed by another process that rolled back; try again`);
    return { sent: false, existing };
  }

  async get(kind: string, period: string): Promise<ReportRow | undefined> {
    const rows: any[] = await this.ds.query(`select kind, period, created_at, created_by, scheduled_for, notification_ids from reports where kind = $1 and period = $2`, [kind, period]);
    const r = rows[0];
    return r
      ? {
          kind: r.kind,
          period: r.period,
          createdAt: new Date(r.created_at).getTime(),
          createdBy: r.created_by,
          scheduledFor: r.scheduled_for ? new Date(r.scheduled_for).getTime() : undefined,
          notificationIds: r.notification_ids,
        }
      : undefined;
  }
}
