import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { OnCallController } from './oncall.controller';
import { OnCallService } from './oncall.service';

/** People, schedules, escalation policies: who is on call, feeds and shift swaps (api). */
@Module({})
export class OnCallModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(OnCallModule, roles, (has) => ({
      providers: has('api') ? [OnCallService] : [],
      controllers: has('api') ? [OnCallController] : [],
      exports: has('api') ? [OnCallService] : [],
    }));
  }
}
