import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { SystemsController } from './topology/systems.controller';
import { ConfigReloadService } from './runtime/config-reload.service';
import { ConfigController } from './runtime/config.controller';
import { ErrorFilter } from './runtime/error.filter';
import { AlertsController } from './alerting/alerts.controller';
import { AlertQueryService } from './alerting/alerts-query.service';
import { EventsController } from './ingest/events.controller';
import { IngestService } from './ingest/ingest.service';
import { HealthController } from './runtime/health.controller';
import { IncidentsController } from './incidents/incidents.controller';
import { IncidentsService } from './incidents/incidents.service';
import { SdController } from './probing/sd.controller';
import { SdService } from './probing/sd.service';
import { SystemsService } from './topology/systems.service';
import { MaintenanceService } from './maintenance/maintenance.service';
import { ProberService } from './probing/prober.service';
import { TopologyService } from './topology/topology.service';
import { TopologyAnnouncements } from './topology/topology-announcements';
import { AlertService } from './alerting/alert.service';
import { DeliveryService } from './delivery/delivery.service';
import { NotificationQueue } from './delivery/notification-queue';
import { ReportsController } from './reports/reports.controller';
import { ReportPreviewService } from './reports/report-preview.service';
import { WeeklyReportService } from './reports/weekly-report.service';
import { weeklyReporterProvider } from './reports/weekly-reporter.provider';
import type { Runtime } from './runtime/runtime';
import { SlosController } from './slo/slos.controller';
import { RollupCompactionService } from './slo/rollup-compaction.service';
import { SloAlertService } from './slo/slo-alerts.service';
import { SloMetricsService } from './slo/slo-metrics.service';
import { SloService } from './slo/slo.service';
import { CLOCK, CONFIG, DATA_SOURCE, LIVE_STATES, LOGGER, METRICS, READINESS, REDIS, SETTINGS, TARGET_IDS } from './runtime/tokens';

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
      providers.push(SystemsService, IncidentsService, IngestService, AlertQueryService);
      controllers.push(SystemsController, ConfigController, IncidentsController, EventsController, AlertsController);
      providers.push(SdService);
      controllers.push(SdController);
    }
    // The api role evaluates the alerts of systems it alone knows of: Alertmanager alerts about systems no prober watches.
    if (roles.has('api') || roles.has('prober')) providers.push(AlertService);
    if (roles.has('prober')) providers.push(TopologyService, TopologyAnnouncements, ProberService);
    if (roles.has('worker')) providers.push(MaintenanceService, DeliveryService);
    if (roles.has('api') || roles.has('worker')) providers.push(weeklyReporterProvider);
    if (roles.has('api')) {
      providers.push(ReportPreviewService);
      controllers.push(ReportsController);
    }
    if (roles.has('worker')) providers.push(WeeklyReportService);
    if (roles.has('api') || roles.has('worker')) providers.push(SloService);
    if (roles.has('api')) {
      providers.push(SloMetricsService);
      controllers.push(SlosController);
    }
    if (roles.has('worker')) providers.push(RollupCompactionService, SloAlertService);
    return { module: AppModule, providers, controllers };
  }
}
