import { budgetChart } from './budget-chart';
import type { WeeklyReport } from './weekly-model';

export interface ReportImage {
  slo: string;
  filename: string;
  /** Content id without the angle brackets: the HTML says `cid:<cid>`. */
  cid: string;
  contentType: 'image/png';
  png: Buffer;
}

/** One error-budget chart per SLO over its window, with the reported week shaded; none for an SLO without figures. */
export function weeklyCharts(r: WeeklyReport): ReportImage[] {
  return r.slos.filter((s) => s.budgetSeries.length > 0).map((s) => ({
    slo: s.name,
    filename: `budget-${s.name}.png`,
    cid: `budget-${s.name}.${r.week}@nines`,
    contentType: 'image/png',
    png: budgetChart(s.budgetSeries, s.windowStart, s.windowEnd, 600, 200, { start: r.start, end: r.end }),
  }));
}

/** How the HTML part refers to each chart: by content id in a mail, as a data: URI in the browser preview. */
export function imageSources(images: ReportImage[], mode: 'cid' | 'data'): Map<string, string> {
  return new Map(images.map((i) => [i.slo, mode === 'cid' ? `cid:${i.cid}` : `data:${i.contentType};base64,${i.png.toString('base64')}`]));
}
