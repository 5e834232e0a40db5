import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { AlertingModule } from '../alerting/alerting.module';
import { roleModule } from '../runtime/role-module';
import { TopologyModule } from '../topology/topology.module';
import { ProberService } from './prober.service';
import { SdController } from './sd.controller';
import { SdService } from './sd.service';

/** The probe engine (prober) and the service discovery of what it probes (api). */
@Module({})
export class ProbingModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(ProbingModule, roles, (has) => ({
      imports: [TopologyModule.register(roles), AlertingModule.register(roles)],
      providers: [...(has('prober') ? [ProberService] : []), ...(has('api') ? [SdService] : [])],
      controllers: has('api') ? [SdController] : [],
    }));
  }
}
