import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { DeliveryModule } from '../delivery/delivery.module';
import { roleModule } from '../runtime/role-module';
import { AlertService } from './alert.service';
import { AlertQueryService } from './alerts-query.service';
import { AlertsController } from './alerts.controller';

/** Alerts: evaluation (prober, and api for ingested alerts), the alerts and silences API (api). */
@Module({})
export class AlertingModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(AlertingModule, roles, (has) => ({
      imports: [DeliveryModule.register(roles)],
      providers: [...(has('api', 'prober') ? [AlertService] : []), ...(has('api') ? [AlertQueryService] : [])],
      controllers: has('api') ? [AlertsController] : [],
      exports: [AlertService],
    }));
  }
}
