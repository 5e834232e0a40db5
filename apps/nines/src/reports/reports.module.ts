import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { DeliveryModule } from '../delivery/delivery.module';
import { roleModule } from '../runtime/role-module';
import { ReportPreviewService } from './report-preview.service';
import { ReportsController } from './reports.controller';
import { WeeklyReportService } from './weekly-report.service';
import { weeklyReporterProvider } from './weekly-reporter.provider';

/** The weekly SLO report: its HTML preview (api) and the scheduled send (worker). */
@Module({})
export class ReportsModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(ReportsModule, roles, (has) => ({
      imports: [DeliveryModule.register(roles)],
      providers: [
        ...(has('api', 'worker') ? [weeklyReporterProvider] : []),
        ...(has('api') ? [ReportPreviewService] : []),
        ...(has('worker') ? [WeeklyReportService] : []),
      ],
      controllers: has('api') ? [ReportsController] : [],
    }));
  }
}
