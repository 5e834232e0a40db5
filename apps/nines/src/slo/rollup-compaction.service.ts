import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { RollupCompactionRepository } from '../../../../libs/slo/src/rollup-compaction.repository';
import { CLOCK, CONFIG, LOGGER } from '../runtime/tokens';

export const COMPACTION_EVERY_MS = 60_000;

/** Moves closed hours of per-minute rollups into the per-day rows, every minute, on one worker at a time. */
@Injectable()
export class RollupCompactionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly repo: RollupCompactionRepository,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), COMPACTION_EVERY_MS);
    this.timer.unref();
    setTimeout(() => void this.tick(), 5_000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const r = await this.repo.compact({ now: this.clock.now(), retentionMs: this.config.get().storage.rollupRetentionMs });
        if (r && (r.movedMinutes || r.daysDropped)) {
          await this.repo.vacuumHot();
          this.logger.info(r, 'rollups compacted');
        }
      } catch (err) {
        this.logger.error({ err }, 'rollup compaction failed; the next run retries');
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }
}
