import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { NinesConfig } from '../../../../libs/config/src/config';
import type { Settings } from '../../../../libs/config/src/settings';
import { Outbox } from '../../../../libs/notify/src/outbox';
import { toDate } from '../../../../libs/common/src/time';
import { duePeriod, weeklyOptions, WeeklyReporter } from '../../../../libs/reports/src/weekly-report';
import { JobName, QUEUE_PREFIX, QueueName, SchedulerId } from '../delivery/queues';
import type { RedisConnections } from '../runtime/redis';
import { CLOCK, CONFIG, LOGGER, REDIS_CONNECTIONS, SETTINGS } from '../runtime/tokens';

export type SendDueOutcome = { outcome: 'sent'; week: string; notificationIds: string[] } | { outcome: 'already-sent'; week: string } | { outcome: 'not-scheduled' };

/**
 * The worker role's weekly report: a BullMQ job scheduler fires at reports.weekly.cron in its
 * time zone (one job per firing, whichever worker takes it), and every run — plus one at start —
 * sends the report of the latest firing's week unless the reports ledger already has it. So a
 * period missed while Nines was down goes out when it is back, and three workers send one mail.
 */
@Injectable()
export class WeeklyReportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private queue?: Queue;
  private worker?: Worker;
  private connection?: Redis;
  /** The schedule registered in Redis by this process; null before the first registration. */
  private scheduled: string | undefined | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reporter: WeeklyReporter,
    private readonly outbox: Outbox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = this.connections.queue('reports');
    this.queue = new Queue(QueueName.Reports, { connection: this.connection, prefix: QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
    this.worker = new Worker(QueueName.Reports, async () => this.sendDue('schedule'), { connection: this.connection, prefix: QUEUE_PREFIX, concurrency: 1 });
    this.worker.on('error', (err) => this.logger.warn({ err }, 'report worker error'));
    this.worker.on('failed', (_job, err) => this.logger.warn({ error: err.message }, 'weekly report run failed; the next run or restart tries again'));
    // Neither waits for Redis: start-up and config reloads must not hang on it.
    void this.schedule(this.config.get());
    this.config.onChange((c) => void this.schedule(c));
    // Catch up: a firing missed while no worker ran is sent now (once: the ledger decides).
    void this.sendDue('start').catch((err) => this.logger.warn({ err }, 'weekly report catch-up failed; the next run tries again'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    if (this.connection) this.connections.drop(this.connection);
  }

  /** Keeps the BullMQ job scheduler in step with reports.weekly (same id from every worker: one scheduler). */
  private async schedule(c: NinesConfig): Promise<void> {
    const weekly = c.raw.reports.weekly;
    const key = weekly?.enabled ? `${weekly.cron} ${weekly.timezone}` : undefined;
    if (this.scheduled !== null && key === this.scheduled) return;
    try {
      if (weekly?.enabled) {
        await this.queue!.upsertJobScheduler(
          SchedulerId.WeeklyReport,
          { pattern: weekly.cron, tz: weekly.timezone },
          { name: JobName.WeeklyReport, data: {}, opts: { removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } } },
        );
        this.logger.info({ cron: weekly.cron, timezone: weekly.timezone, to: weekly.to.length }, 'weekly report scheduled');
      } else {
        await this.queue!.removeJobScheduler(SchedulerId.WeeklyReport);
      }
      this.scheduled = key;
    } catch (err) {
      this.logger.warn({ err }, 'could not register the weekly report schedule in Redis; the catch-up at start still sends missed reports');
    }
  }

  /** Sends the report of the latest cron firing at or before now, unless it was already sent. */
  async sendDue(trigger: 'start' | 'schedule'): Promise<SendDueOutcome> {
    const raw = this.config.get().raw;
    const weekly = raw.reports.weekly;
    if (!weekly?.enabled) return { outcome: 'not-scheduled' };
    const due = duePeriod(weekly.cron, weekly.timezone, this.clock.now());
    if (!due) return { outcome: 'not-scheduled' };
    const r = await this.reporter.sendOnce(due.week, weeklyOptions(raw), {
      createdBy: this.settings.instanceId,
      scheduledFor: due.firing,
    });
    const firing = toDate(due.firing).toISOString();
    if (!r.sent) {
      this.logger.debug({ week: due.week, firing, trigger, sentBy: r.existing.createdBy }, `weekly report ${due.week} already sent`);
      return { outcome: 'already-sent', week: due.week };
    }
    this.logger.info({ week: due.week, firing, trigger, notifications: r.notificationIds }, `weekly report ${due.week} queued for ${weekly.to.join(', ')}`);
    await this.outbox.enqueue(r.notificationIds);
    return { outcome: 'sent', week: due.week, notificationIds: r.notificationIds };
  }
}
