import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackInteractionsService } from './slack-interactions.service';

/** Callbacks from the providers Nines notifies (api): Slack's interactivity. */
@Module({})
export class IntegrationsModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(IntegrationsModule, roles, (has) => ({
      providers: has('api') ? [SlackInteractionsService] : [],
      controllers: has('api') ? [SlackInteractionsController] : [],
    }));
  }
}
