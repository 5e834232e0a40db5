import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { DeliveryModule } from '../delivery/delivery.module';
import { roleModule } from '../runtime/role-module';
import { RollupCompactionService } from './rollup-compaction.service';
import { SloAlertService } from './slo-alerts.service';
import { SloMetricsService } from './slo-metrics.service';
import { SloService } from './slo.service';
import { SlosController } from './slos.controller';

/** SLOs: evaluation (api, worker), their API and metrics (api), burn alerts and rollup compaction (worker). */
@Module({})
export class SloModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(SloModule, roles, (has) => ({
      imports: [DeliveryModule.register(roles)],
      providers: [
        ...(has('api', 'worker') ? [SloService] : []),
        ...(has('api') ? [SloMetricsService] : []),
        ...(has('worker') ? [RollupCompactionService, SloAlertService] : []),
      ],
      controllers: has('api') ? [SlosController] : [],
    }));
  }
}
