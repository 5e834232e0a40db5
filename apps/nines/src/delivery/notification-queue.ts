import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { RedisConnections } from '../runtime/redis';
import { LOGGER, REDIS_CONNECTIONS } from '../runtime/tokens';
import { JobName, QUEUE_PREFIX, QueueName } from './queues';

/** With backoffMs (1 s doubling to 1 min): retries span 7.5 to 15 minutes before a notification is dead-lettered. */
export const DELIVERY_ATTEMPTS = 20;

/**
 * Producer side of the notification queue. Job ids are the notification ids, so enqueueing the
 * same notification twice (the writer right after commit, the relay after a Redis restart) is
 * harmless; the notification log in PostgreSQL decides what was sent.
 */
@Injectable()
export class NotificationQueue implements OnApplicationShutdown {
  private readonly queue: Queue;
  private readonly connection: Redis;

  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.connection = redis.queue('notifications-producer', { offlineQueue: false });
    this.queue = new Queue(QueueName.Notifications, { connection: this.connection, prefix: QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
  }

  /** Best effort: a failure leaves the rows pending and the relay enqueues them later. */
  async enqueue(ids: string[]): Promise<boolean> {
    if (!ids.length) return true;
    try {
      await this.queue.addBulk(
        ids.map((id) => ({
          name: JobName.Deliver,
          data: { id },
          opts: { jobId: id, attempts: DELIVERY_ATTEMPTS, backoff: { type: 'nines' }, removeOnComplete: true, removeOnFail: { age: 7 * 86_400 } },
        })),
      );
      return true;
    } catch (err) {
      this.logger.warn({ err, notifications: ids.length }, 'could not enqueue notifications; the outbox relay will retry');
      return false;
    }
  }

  /**
   * For the outbox relay: rows the database says are undelivered. A finished job under the same id
   * (completed as "skipped" while a dead worker's claim was still fresh, or failed by BullMQ's
   * stall limit) would swallow the new one, so it is removed first.
   */
  async requeue(ids: string[]): Promise<boolean> {
    try {
      for (const id of ids) {
        const job = await this.queue.getJob(id);
        if (!job) continue;
        const state = await job.getState();
        if (state === 'completed' || (state === 'failed' && job.attemptsMade < DELIVERY_ATTEMPTS)) await job.remove();
      }
    } catch (err) {
      this.logger.warn({ err, notifications: ids.length }, 'could not check queued notifications; the outbox relay will retry');
      return false;
    }
    return this.enqueue(ids);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.redis.drop(this.connection);
  }
}
