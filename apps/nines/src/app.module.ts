import { DynamicModule, Module } from '@nestjs/common';
import { AccessModule } from './access/access.module';
import { AlertingModule } from './alerting/alerting.module';
import { ConsoleModule } from './console/console.module';
import { StatusModule } from './status/status.module';
import { DeliveryModule } from './delivery/delivery.module';
import { IncidentsModule } from './incidents/incidents.module';
import { IngestModule } from './ingest/ingest.module';
import { OnCallModule } from './oncall/oncall.module';
import { HeartbeatsModule } from './heartbeats/heartbeats.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { ProbingModule } from './probing/probing.module';
import { ReportsModule } from './reports/reports.module';
import { resetRoleModules } from './runtime/role-module';
import type { Runtime } from './runtime/runtime';
import { RepositoriesModule } from './runtime/repositories.module';
import { RuntimeModule } from './runtime/runtime.module';
import { SloModule } from './slo/slo.module';
import { TopologyModule } from './topology/topology.module';

/**
 * One Nest module per domain noun, each holding what this process's roles need: api (HTTP API),
 * prober (engine, topology, alert evaluation), worker (delivery, reports, SLO alerts, maintenance).
 */
@Module({})
export class AppModule {
  static register(rt: Runtime): DynamicModule {
    resetRoleModules();
    const roles = rt.settings.roles;
    return {
      module: AppModule,
      imports: [
        RuntimeModule.register(rt),
        RepositoriesModule,
        AccessModule.register(roles),
        DeliveryModule.register(roles),
        AlertingModule.register(roles),
        TopologyModule.register(roles),
        ProbingModule.register(roles),
        IngestModule.register(roles),
        IncidentsModule.register(roles),
        IntegrationsModule.register(roles),
        SloModule.register(roles),
        ReportsModule.register(roles),
        MaintenanceModule.register(roles),
        OnCallModule.register(roles),
        HeartbeatsModule.register(roles),
        ConsoleModule.register(roles),
        StatusModule.register(roles),
      ],
    };
  }
}
