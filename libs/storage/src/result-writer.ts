import type { Logger } from 'pino';
import type { ProbeResult } from '../../probes/src/observation';
import type { TargetState } from '../../probes/src/target-state';
import type { ResultRepository } from './result.repository';

export interface WriterMetrics {
  flushed(rows: number, seconds: number): void;
  failed(): void;
  dropped(rows: number): void;
}

/**
 * Buffers results and writes them in batches: every `flushMs`, or at once when `maxBatch` rows
 * wait. A failed flush keeps its rows and retries; the buffer is bounded so a long database
 * outage costs the oldest raw rows (counted and logged), never the process.
 */
export class ResultWriter {
  private rows: { targetId: number; result: ProbeResult }[] = [];
  private states = new Map<number, TargetState>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private ids = new Map<string, number>();

  constructor(
    private readonly repo: ResultRepository,
    private readonly logger: Logger,
    private readonly metrics?: WriterMetrics,
    private readonly opts = { flushMs: 1000, maxBatch: 5000, maxBuffered: 500_000 },
  ) {}

  setTargetIds(ids: Map<string, number>): void {
    this.ids = ids;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.flushMs);
    this.timer.unref();
  }

  add(result: ProbeResult, state: TargetState): void {
    const id = this.ids.get(result.targetKey);
    if (id === undefined) return; // target removed by a reload while its probe ran
    this.rows.push({ targetId: id, result });
    this.states.set(id, state);
    if (this.rows.length > this.opts.maxBuffered) {
      const drop = this.rows.length - this.opts.maxBuffered;
      this.rows.splice(0, drop);
      this.metrics?.dropped(drop);
    }
    if (this.rows.length >= this.opts.maxBatch && !this.flushing) void this.flush();
  }

  pending(): number {
    return this.rows.length;
  }

  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (!this.rows.length && !this.states.size) return;
    this.flushing = (async () => {
      while (this.rows.length || this.states.size) {
        const batch = this.rows.splice(0, this.opts.maxBatch);
        const states = [...this.states].map(([targetId, state]) => ({ targetId, state }));
        this.states.clear();
        const t0 = process.hrtime.bigint();
        try {
          await this.repo.writeBatch(batch, states);
          this.metrics?.flushed(batch.length, Number(process.hrtime.bigint() - t0) / 1e9);
        } catch (err) {
          // Put everything back (newer states win) and retry on the next flush.
          this.rows.unshift(...batch);
          for (const s of states) if (!this.states.has(s.targetId)) this.states.set(s.targetId, s.state);
          this.metrics?.failed();
          this.logger.warn({ err, pending: this.rows.length }, 'writing probe results failed; will retry');
          break;
        }
        if (this.rows.length < this.opts.maxBatch) break;
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    if (this.rows.length) await this.flush();
  }
}
