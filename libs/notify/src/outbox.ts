/** The queue side of the outbox: true when the jobs are in (a failure leaves the rows to the relay). */
export interface OutboxQueue {
  enqueue(ids: string[]): Promise<boolean>;
}

/** The log side: the rows are marked so the relay does not enqueue them again. */
export interface OutboxLog {
  markEnqueued(ids: string[]): Promise<void>;
}

/**
 * The hand-off after an outbox row is committed: enqueue it at once (one hop to the worker) and,
 * when the queue took it, mark it enqueued. When the queue is down the rows stay unmarked and the
 * relay enqueues them later, so nothing here needs to retry.
 */
export class Outbox {
  constructor(
    private readonly queue: OutboxQueue,
    private readonly log: OutboxLog,
  ) {}

  async enqueue(ids: string[]): Promise<boolean> {
    if (!ids.length) return true;
    if (!(await this.queue.enqueue(ids))) return false;
    await this.log.markEnqueued(ids);
    return true;
  }
}
