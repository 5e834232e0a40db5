import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import { parseDuration } from '../../../../libs/common/src/duration';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { CLOCK, CONFIG, LOGGER, METRICS, REDIS, SETTINGS } from '../runtime/tokens';

/**
 * The dead-man's switch: while Nines runs, one worker a slot pushes `self_heartbeat.url`, so
 * another system notices when Nines stops. A slot is claimed in Redis so three workers push once
 * an interval; with Redis away each pushes anyway (one push too many beats a false alarm).
 */
@Injectable()
export class SelfHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private lastFailureLog = 0;

  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    const hb = this.config.get().raw.self_heartbeat;
    if (!hb) return;
    const interval = parseDuration(hb.interval)!;
    const now = this.clock.now();
    const slot = Math.floor(now / interval);
    let mine = true;
    try {
      mine = (await this.redis.set(`nines:self-heartbeat:${slot}`, this.settings.instanceId, 'PX', interval * 2, 'NX')) === 'OK';
    } catch {
      mine = true;
    }
    if (!mine) return;
    try {
      const res = await fetch(hb.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'nines-self-heartbeat' }, body: JSON.stringify({ instance: this.settings.instanceId, at: new Date(now).toISOString() }), signal: AbortSignal.timeout(Math.min(5000, interval)) });
      await res.arrayBuffer().catch(() => undefined);
      this.metrics.selfHeartbeats.inc({ outcome: res.ok ? 'sent' : 'failed' });
      if (!res.ok) this.failed(`answered ${res.status}`);
    } catch (err) {
      this.metrics.selfHeartbeats.inc({ outcome: 'failed' });
      // Never the URL: a ping URL usually holds its secret in the path.
      this.failed((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name);
    }
  }

  private failed(why: string): void {
    if (Date.now() - this.lastFailureLog < 60_000) return;
    this.lastFailureLog = Date.now();
    this.logger.warn({ why }, 'self heartbeat push failed');
  }
}
