import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { AlertingModule } from '../alerting/alerting.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { roleModule } from '../runtime/role-module';
import { SystemsController } from './systems.controller';
import { SystemsService } from './systems.service';
import { TopologyAnnouncements } from './topology-announcements';
import { TopologyService } from './topology.service';

/** Who is primary, who lags: folded from probe results (prober); systems and targets API (api). */
@Module({})
export class TopologyModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(TopologyModule, roles, (has) => ({
      imports: [AlertingModule.register(roles), IncidentsModule.register(roles)],
      providers: [...(has('prober') ? [TopologyService, TopologyAnnouncements] : []), ...(has('api') ? [SystemsService] : [])],
      controllers: has('api') ? [SystemsController] : [],
      exports: [TopologyService],
    }));
  }
}
