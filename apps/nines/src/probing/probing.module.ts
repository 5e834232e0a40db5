import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { AlertingModule } from '../alerting/alerting.module';
import { roleModule } from '../runtime/role-module';
import { TopologyModule } from '../topology/topology.module';
import { ProberService } from './prober.service';
import { SdController } from './sd.controller';
import { SdService } from './sd.service';
import { LocationsController } from './locations.controller';
import { LocationsService, LocationWatch } from './locations.service';
import { AlertService } from '../alerting/alert.service';
import { TopologyService } from '../topology/topology.service';
import { RESULT_LISTENERS } from '../runtime/tokens';

/** Topology first (it may open the incident target alerts then join), then target alerts. */
const listeners = { provide: RESULT_LISTENERS, useFactory: (topology: TopologyService, alerts: AlertService) => [topology, alerts], inject: [TopologyService, AlertService] };

/** The probe engine (prober) and the service discovery of what it probes (api). */
@Module({})
export class ProbingModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(ProbingModule, roles, (has) => ({
      imports: [TopologyModule.register(roles), AlertingModule.register(roles)],
      providers: [LocationsService, ...(has('prober') ? [ProberService, listeners, LocationWatch] : []), ...(has('api') ? [SdService] : [])],
      controllers: has('api') ? [SdController, LocationsController] : [],
    }));
  }
}
