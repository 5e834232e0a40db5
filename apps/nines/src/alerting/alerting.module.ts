import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { DeliveryModule } from '../delivery/delivery.module';
import { roleModule } from '../runtime/role-module';
import { AlertService } from './alert.service';
import { AlertQueryService } from './alerts-query.service';
import { AlertsController } from './alerts.controller';
import { TOPOLOGY_LISTENER } from '../runtime/tokens';

/** Topology hands each evaluated system to alerting through this narrow interface. */
const listener = { provide: TOPOLOGY_LISTENER, useExisting: AlertService };

/** Alerts: evaluation (prober, and api for ingested alerts), the alerts and silences API (api). */
@Module({})
export class AlertingModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(AlertingModule, roles, (has) => ({
      imports: [DeliveryModule.register(roles)],
      providers: [...(has('api', 'prober') ? [AlertService, listener] : []), ...(has('api') ? [AlertQueryService] : [])],
      controllers: has('api') ? [AlertsController] : [],
      exports: [AlertService, listener],
    }));
  }
}
