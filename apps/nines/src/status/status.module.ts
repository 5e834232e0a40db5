import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

/** The public status page (api role). */
@Module({})
export class StatusModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(StatusModule, roles, (has) => ({
      providers: has('api') ? [StatusService] : [],
      controllers: has('api') ? [StatusController] : [],
    }));
  }
}
