import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import type { Readiness } from './readiness';
import type { RedisConnections } from './redis';
import type { LiveStates } from './live-states';
import type { TargetIds } from './target-ids';

/** Everything built before Nest starts: settings, config, connections, logger, metrics. */
export interface Runtime {
  settings: Settings;
  config: ConfigHolder;
  dataSource: DataSource;
  redis: Redis;
  redisConnections: RedisConnections;
  logger: Logger;
  clock: Clock;
  metrics: NinesMetrics;
  readiness: Readiness;
  targetIds: TargetIds;
  liveStates: LiveStates;
}
