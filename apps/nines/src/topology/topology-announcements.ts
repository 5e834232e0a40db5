import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { TOPOLOGY_CHANGED_CHANNEL } from '../../../../libs/topology/src/announcements';
import type { RedisConnections } from '../runtime/redis';
import { LOGGER, REDIS_CONNECTIONS } from '../runtime/tokens';
import { TopologyService } from './topology.service';

/** On a prober: re-reads a system's topology when another process announces a change to it. */
@Injectable()
export class TopologyAnnouncements implements OnApplicationBootstrap, OnApplicationShutdown {
  private sub?: Redis;

  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly topology: TopologyService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.sub = this.connections.subscriber('topology-announcements');
    this.sub.on('message', (_ch, system: string) => this.topology.reloadFromStore(system));
    await this.sub.subscribe(TOPOLOGY_CHANGED_CHANNEL).catch((err) => this.logger.warn({ err }, 'cannot subscribe to topology change announcements'));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sub) this.connections.drop(this.sub);
  }
}
