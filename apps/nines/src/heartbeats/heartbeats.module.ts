import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Role } from '../../../../libs/config/src/settings';
import { HeartbeatRepository } from '../../../../libs/heartbeats/src/heartbeat.repository';
import { AlertingModule } from '../alerting/alerting.module';
import { roleModule } from '../runtime/role-module';
import { DATA_SOURCE } from '../runtime/tokens';
import { HeartbeatsController } from './heartbeats.controller';
import { HeartbeatMonitor, HeartbeatsService } from './heartbeats.service';
import { SelfHeartbeat } from './self-heartbeat.service';

const repo = { provide: HeartbeatRepository, useFactory: (ds: DataSource) => new HeartbeatRepository(ds), inject: [DATA_SOURCE] };

/** Push monitors: pushes and the list (api), evaluation (prober), Nines' own heartbeat out (worker). */
@Module({})
export class HeartbeatsModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(HeartbeatsModule, roles, (has) => ({
      imports: [AlertingModule.register(roles)],
      providers: [repo, ...(has('api') ? [HeartbeatsService] : []), ...(has('prober') ? [HeartbeatMonitor] : []), ...(has('worker') ? [SelfHeartbeat] : [])],
      controllers: has('api') ? [HeartbeatsController] : [],
    }));
  }
}
