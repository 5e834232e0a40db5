import { Inject, Injectable } from '@nestjs/common';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Clock } from '../../../../libs/common/src/clock';
import { reportedWeek, weeklyOptions, WeeklyReporter } from '../../../../libs/reports/src/weekly-report';
import { CLOCK, CONFIG } from '../runtime/tokens';

/** The HTML preview of the weekly report: the mail's HTML with the charts inline as data: URIs. */
@Injectable()
export class ReportPreviewService {
  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reporter: WeeklyReporter,
  ) {}

  /** `week` as YYYY-Www; without it, the week the next scheduled mail would cover (the last complete one). */
  weeklyHtml(week: string | undefined): Promise<string> {
    const o = weeklyOptions(this.config.get().raw);
    return this.reporter.previewHtml(week ?? reportedWeek(this.clock.now(), o.timezone), o);
  }
}
