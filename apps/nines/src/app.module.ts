import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiController } from './http/api.controller';
import { ConfigReloadService } from './http/config-reload.service';
import { ErrorFilter } from './http/error.filter';
import { AlertsController } from './http/alerts.controller';
import { AlertsService } from './http/alerts.service';
import { EventsController } from './http/events.controller';
import { EventsIngestService } from './http/events-ingest.service';
import { HealthController } from './http/health.controller';
import { IncidentsController } from './http/incidents.controller';
import { IncidentsService } from './http/incidents.service';
import { SdController } from './http/sd.controller';
import { SdService } from './http/sd.service';
import { SystemsService } from './http/systems.service';
import { MaintenanceService } from './maintenance/maintenance.service';
import { ProberService } from './probing/prober.service';
import { TopologyService } from './probing/topology.service';
import { TopologyAnnouncements } from './probing/topology-announcements';
import { AlertService } from './alerting/alert.service';
import { DeliveryService } from './delivery/delivery.service';
import { NotificationQueue } from './delivery/notification-queue';
import { ReportsController } from './http/reports.controller';
import { ReportsService } from './http/reports.service';
import { ReportService } from './reports/report.service';
import { weeklyReporterProvider } from './reports/weekly-reporter.provider';
import type { Runtime } from './runtime/runtime';
import { SlosController } from './http/slos.controller';
import { RollupCompactionService } from './slo/rollup-compaction.service';
import { SloAlertService } from './slo/slo-alerts.service';
import { SloMetricsService } from './slo/slo-metrics.service';
import { SloService } from './slo/slo.service';
import { CLOCK, CONFIG, DATA_SOURCE, LIVE_STATES, LOGGER, METRICS, READINESS, REDIS, SETTINGS, TARGET_IDS, TOPOLOGY_LISTENER, TOPOLOGY_STORE } from './runtime/tokens';
import { IncidentTopologyStore } from '../../../libs/incidents/src/incident-topology-store';

/** One module, its parts chosen by role: api (HTTP API), prober (engine), worker (maintenance, delivery). */
@Module({})
export class AppModule {
  static register(rt: Runtime): DynamicModule {
    const roles = rt.settings.roles;
    const core: Provider[] = [
      { provide: SETTINGS, useValue: rt.settings },
      { provide: CONFIG, useValue: rt.config },
      { provide: DATA_SOURCE, useValue: rt.dataSource },
      { provide: REDIS, useValue: rt.redis },
      { provide: LOGGER, useValue: rt.logger },
      { provide: CLOCK, useValue: rt.clock },
      { provide: METRICS, useValue: rt.metrics },
      { provide: READINESS, useValue: rt.readiness },
      { provide: TARGET_IDS, useValue: rt.targetIds },
      { provide: LIVE_STATES, useValue: rt.liveStates },
      { provide: APP_FILTER, useClass: ErrorFilter },
      ConfigReloadService,
      NotificationQueue,
    ];
    const providers: Provider[] = [...core];
    const controllers: DynamicModule['controllers'] = [HealthController];
    if (roles.has('api')) {
      providers.push(SystemsService, IncidentsService, EventsIngestService, AlertsService);
      controllers.push(ApiController, IncidentsController, EventsController, AlertsController);
      providers.push(SdService);
      controllers.push(SdController);
    }
    // The api role evaluates the alerts of systems it alone knows of: Alertmanager alerts about systems no prober watches.
    if (roles.has('api') || roles.has('prober')) {
      providers.push(AlertService);
      // Topology commits (probed or ingested) and what follows them: incidents in the same transaction, then alerts in-line.
      providers.push(
        { provide: TOPOLOGY_STORE, useFactory: (ds: Runtime['dataSource'], config: Runtime['config']) => new IncidentTopologyStore(ds, config), inject: [DATA_SOURCE, CONFIG] },
        { provide: TOPOLOGY_LISTENER, useExisting: AlertService },
      );
    }
    if (roles.has('prober')) providers.push(TopologyService, TopologyAnnouncements, ProberService);
    if (roles.has('worker')) providers.push(MaintenanceService, DeliveryService);
    if (roles.has('api') || roles.has('worker')) providers.push(weeklyReporterProvider);
    if (roles.has('api')) {
      providers.push(ReportsService);
      controllers.push(ReportsController);
    }
    if (roles.has('worker')) providers.push(ReportService);
    if (roles.has('api') || roles.has('worker')) providers.push(SloService);
    if (roles.has('api')) {
      providers.push(SloMetricsService);
      controllers.push(SlosController);
    }
    if (roles.has('worker')) providers.push(RollupCompactionService, SloAlertService);
    return { module: AppModule, providers, controllers };
  }
}
