import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import type { Caller } from '../../../../libs/access/src/caller';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { ConfigError, formatIssues } from '../../../../libs/config/src/errors';
import type { Settings } from '../../../../libs/config/src/settings';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import type { RedisConnections } from './redis';
import type { Clock } from '../../../../libs/common/src/clock';
import { CLOCK, CONFIG, LOGGER, METRICS, REDIS, REDIS_CONNECTIONS, SETTINGS } from './tokens';

const CHANNEL = 'nines:config:reload';

/**
 * Reloads on SIGHUP and on POST /api/v1/config/reload. A reload asked of one replica is
 * announced on Redis so the others re-read their own file too.
 */
@Injectable()
export class ConfigReloadService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sub?: Redis;
  private readonly onHup = () => void this.reloadLocal('SIGHUP').catch(() => undefined);

  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    process.on('SIGHUP', this.onHup);
    this.metrics.configLastReload.set(this.clock.now() / 1000);
    this.sub = this.connections.subscriber('config-announcements');
    this.sub.on('message', (_ch, from) => {
      if (from !== this.settings.instanceId) void this.reloadLocal(`announced by ${from}`).catch(() => undefined);
    });
    await this.sub.subscribe(CHANNEL).catch((err) => this.logger.warn({ err }, 'cannot subscribe to config reload announcements'));
  }

  async onApplicationShutdown(): Promise<void> {
    process.off('SIGHUP', this.onHup);
    if (this.sub) this.connections.drop(this.sub);
  }

  async reloadLocal(trigger: string) {
    try {
      const c = await this.config.reload();
      this.metrics.configReloads.inc({ outcome: 'success' });
      this.metrics.configLastReload.set(this.clock.now() / 1000);
      this.logger.info({ trigger, targets: c.targets.length, systems: c.systems.length }, 'config reloaded');
      return { status: 'reloaded', systems: c.systems.length, targets: c.targets.length };
    } catch (err) {
      this.metrics.configReloads.inc({ outcome: 'failure' });
      if (err instanceof ConfigError) this.logger.error({ trigger, issues: err.issues }, `config reload rejected, keeping the running config:\n${formatIssues(err.issues)}`);
      else this.logger.error({ trigger, err }, 'config reload failed, keeping the running config');
      throw err;
    }
  }

  /** Reloads here and on every replica; audited, a rejected file too (with its first issues). */
  async reloadEverywhere(caller: Caller) {
    const was = this.config.get();
    const before = { systems: was.systems.length, targets: was.targets.length, slos: was.raw.slos.length };
    let r: Awaited<ReturnType<ConfigReloadService['reloadLocal']>>;
    try {
      r = await this.reloadLocal('api');
    } catch (err) {
      const issues = err instanceof ConfigError ? err.issues.slice(0, 20) : [{ message: 'could not read the file' }];
      await this.audit.record(caller, { action: 'config.reload', target: this.settings.configPath, before, after: { status: 'rejected', issues } }).catch((e) => this.logger.error({ err: e }, 'could not write the audit row'));
      throw err;
    }
    const now = this.config.get();
    await this.audit.record(caller, { action: 'config.reload', target: this.settings.configPath, before, after: { status: 'reloaded', systems: now.systems.length, targets: now.targets.length, slos: now.raw.slos.length } });
    await this.redis.publish(CHANNEL, this.settings.instanceId).catch((err) => this.logger.warn({ err }, 'could not announce the reload to other replicas'));
    return r;
  }
}
