import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import type { NinesConfig } from '../../../../libs/config/src/config';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { EngineSloSource } from '../../../../libs/reports/src/slo-source';
import { WeeklyReporter } from '../../../../libs/reports/src/weekly-report';
import { RollupRepository } from '../../../../libs/slo/src/rollup.repository';
import { SloDataRepository } from '../../../../libs/slo/src/slo-data.repository';
import { SloEvaluation } from '../../../../libs/slo/src/slo-evaluation';
import { CLOCK, CONFIG, DATA_SOURCE } from '../runtime/tokens';

/**
 * One way to wire the reporter, for Nest and for the CLI alike: SLO figures come from the SLO
 * engine over the rollups, with the definitions (config and API), registry and exclusions the
 * SLO service uses.
 */
export function createWeeklyReporter(ds: DataSource, clock: Clock, config: () => NinesConfig): WeeklyReporter {
  const data = new SloDataRepository(ds);
  const rollups = new RollupRepository(ds);
  const evaluation = new SloEvaluation(data, rollups);
  const slos = new EngineSloSource(
    {
      definitions: () => evaluation.definitions(config()),
      registry: () => data.registry(),
      exclusionInputs: (from, to) => data.exclusionInputs(from, to, new Map(config().raw.alerting.time_intervals.map((t) => [t.name, t.intervals]))),
    },
    rollups,
  );
  return new WeeklyReporter(ds, slos, clock);
}

/** The weekly reporter, shared by the HTTP preview (api role) and the scheduled sender (worker role). */
export const weeklyReporterProvider: Provider = {
  provide: WeeklyReporter,
  useFactory: (ds: DataSource, clock: Clock, config: ConfigHolder) => createWeeklyReporter(ds, clock, () => config.get()),
  inject: [DATA_SOURCE, CLOCK, CONFIG],
};
