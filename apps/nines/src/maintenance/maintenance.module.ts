import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { MaintenanceService } from './maintenance.service';

/** Partitions and retention (worker). */
@Module({})
export class MaintenanceModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(MaintenanceModule, roles, (has) => ({ providers: has('worker') ? [MaintenanceService] : [] }));
  }
}
