import type Redis from 'ioredis';
import type { Logger } from 'pino';

/** Redis channel on which a process that committed a topology outside the probers names the system. */
export const TOPOLOGY_CHANGED_CHANNEL = 'nines:topology:changed';

/** Tells the probers that a system's stored topology was changed outside them. */
export async function announceTopologyChange(redis: Redis, system: string, logger: Logger): Promise<void> {
  await redis.publish(TOPOLOGY_CHANGED_CHANNEL, system).catch((err) => logger.warn({ err, system }, 'could not announce the topology change; probers see it at their next save'));
}
