import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { AlertingModule } from '../alerting/alerting.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { roleModule } from '../runtime/role-module';
import { EventsController } from './events.controller';
import { IngestService } from './ingest.service';

/** Events pushed to Nines: keepalived notify, Alertmanager webhooks, generic events (api). */
@Module({})
export class IngestModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(IngestModule, roles, (has) => ({
      imports: [AlertingModule.register(roles), IncidentsModule.register(roles)],
      providers: has('api') ? [IngestService] : [],
      controllers: has('api') ? [EventsController] : [],
    }));
  }
}
