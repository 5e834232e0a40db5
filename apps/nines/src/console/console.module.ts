import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { ConsoleAssets } from './console-assets';
import { ConsoleApiController, ConsoleController } from './console.controller';
import { LiveFeed } from './live-feed.service';
import { OverviewService } from './overview.service';

/** The on-call console (api role): its page and assets, the overview and the live stream. */
@Module({})
export class ConsoleModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(ConsoleModule, roles, (has) => ({
      providers: has('api') ? [{ provide: ConsoleAssets, useFactory: () => new ConsoleAssets() }, OverviewService, LiveFeed] : [],
      controllers: has('api') ? [ConsoleController, ConsoleApiController] : [],
    }));
  }
}
