import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigController } from './config.controller';
import { ConfigReloadService } from './config-reload.service';
import { ErrorFilter } from './error.filter';
import { HealthController } from './health.controller';
import type { Runtime } from './runtime';
import { changePublisher } from '../../../../libs/live/src/change-feed';
import { CHANGE_FEED, CLOCK, CONFIG, DATA_SOURCE, LIVE_STATES, LOGGER, METRICS, READINESS, REDIS, REDIS_CONNECTIONS, SETTINGS, TARGET_IDS } from './tokens';

/** What every module may inject: the I/O objects built before Nest starts, and config reloads. */
@Global()
@Module({})
export class RuntimeModule {
  static register(rt: Runtime): DynamicModule {
    const values = [
      { provide: SETTINGS, useValue: rt.settings },
      { provide: CONFIG, useValue: rt.config },
      { provide: DATA_SOURCE, useValue: rt.dataSource },
      { provide: REDIS, useValue: rt.redis },
      { provide: REDIS_CONNECTIONS, useValue: rt.redisConnections },
      { provide: LOGGER, useValue: rt.logger },
      { provide: CLOCK, useValue: rt.clock },
      { provide: METRICS, useValue: rt.metrics },
      { provide: READINESS, useValue: rt.readiness },
      { provide: TARGET_IDS, useValue: rt.targetIds },
      { provide: LIVE_STATES, useValue: rt.liveStates },
      { provide: CHANGE_FEED, useValue: changePublisher(rt.redis, rt.logger) },
    ];
    return {
      module: RuntimeModule,
      providers: [...values, { provide: APP_FILTER, useClass: ErrorFilter }, ConfigReloadService],
      controllers: rt.settings.roles.has('api') ? [HealthController, ConfigController] : [HealthController],
      exports: [...values.map((v) => v.provide), ConfigReloadService],
    };
  }
}
