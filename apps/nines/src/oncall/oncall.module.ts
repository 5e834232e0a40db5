import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Role } from '../../../../libs/config/src/settings';
import { OverrideRepository } from '../../../../libs/oncall/src/override.repository';
import { roleModule } from '../runtime/role-module';
import { DATA_SOURCE } from '../runtime/tokens';
import { OnCallController } from './oncall.controller';
import { OnCallService } from './oncall.service';

const overrides = { provide: OverrideRepository, useFactory: (ds: DataSource) => new OverrideRepository(ds), inject: [DATA_SOURCE] };

/** People, schedules, escalation policies: who is on call, feeds and shift swaps (api). */
@Module({})
export class OnCallModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(OnCallModule, roles, (has) => ({
      providers: has('api') ? [overrides, OnCallService] : [],
      controllers: has('api') ? [OnCallController] : [],
      exports: has('api') ? [OnCallService] : [],
    }));
  }
}
