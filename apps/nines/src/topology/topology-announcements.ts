import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { LOGGER, REDIS } from '../runtime/tokens';
import { TopologyService } from './topology.service';

const CHANNEL = 'nines:topology:changed';

/** Tells the probers that a system's stored topology was changed outside them (message: the system's name). */
export async function announceTopologyChange(redis: Redis, system: string, logger: Logger): Promise<void> {
  await redis.publish(CHANNEL, system).catch((err) => logger.warn({ err, system }, 'could not announce the topology change; probers see it at their next save'));
}

/** On a prober: re-reads a system's topology when another process announces a change to it. */
@Injectable()
export class TopologyAnnouncements implements OnApplicationBootstrap, OnApplicationShutdown {
  private sub?: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly topology: TopologyService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.sub = this.redis.duplicate();
    this.sub.on('error', () => undefined);
    this.sub.on('message', (_ch, system: string) => this.topology.reloadFromStore(system));
    await this.sub.subscribe(CHANNEL).catch((err) => this.logger.warn({ err }, 'cannot subscribe to topology change announcements'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.sub?.disconnect();
  }
}
