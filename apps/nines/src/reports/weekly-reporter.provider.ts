import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import { WeeklyReporter } from '../../../../libs/reports/src/weekly-report';
import { CLOCK, DATA_SOURCE } from '../runtime/tokens';

/** One way to wire the reporter, for Nest and for the CLI alike. */
export function createWeeklyReporter(ds: DataSource, clock: Clock): WeeklyReporter {
  return new WeeklyReporter(ds, undefined, clock);
}

/** The weekly reporter, shared by the HTTP preview (api role) and the scheduled sender (worker role). */
export const weeklyReporterProvider: Provider = {
  provide: WeeklyReporter,
  useFactory: createWeeklyReporter,
  inject: [DATA_SOURCE, CLOCK],
};
