import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { MaintenanceRepository } from '../../../../libs/storage/src/maintenance.repository';
import { CLOCK, CONFIG, LOGGER } from '../runtime/tokens';

/** Creates partitions ahead and applies retention, hourly, on whichever worker holds the lock. */
@Injectable()
export class MaintenanceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: MaintenanceRepository,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), 3_600_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async runOnce(): Promise<void> {
    const { storage } = this.config.get();
    try {
      const r = await this.repo.run({ now: this.clock.now(), rawRetentionMs: storage.rawRetentionMs, rollupRetentionMs: storage.rollupRetentionMs });
      if (r && (r.created || r.dropped)) this.logger.info(r, 'partition maintenance');
    } catch (err) {
      this.logger.error({ err }, 'partition maintenance failed');
    }
  }
}
