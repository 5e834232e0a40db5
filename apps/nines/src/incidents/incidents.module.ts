import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { IncidentsController } from './incidents.controller';
import { IncidentsService } from './incidents.service';

/** Incidents, their timelines, acknowledgements and drills (api). */
@Module({})
export class IncidentsModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(IncidentsModule, roles, (has) => ({
      providers: has('api') ? [IncidentsService] : [],
      controllers: has('api') ? [IncidentsController] : [],
    }));
  }
}
