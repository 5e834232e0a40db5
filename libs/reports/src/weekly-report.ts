import type { DataSource } from 'typeorm';
import type { Clock } from '../../common/src/clock';
import { DomainError } from '../../common/src/errors';
import type { RawConfig } from '../../config/src/schema';
import type { NotificationPayload } from '../../notify/src/notification';
import { cronPrevious, isoWeekOf, weekRange } from './calendar';
import { ReportLedger, type SendOnceResult } from './report-ledger.repository';
import { ReportRepository, type Queryable } from './report.repository';
import { imageSources, weeklyCharts, type ReportImage } from './weekly-charts';
import { buildWeeklyReport, type SloWeekInput, type WeeklyReport } from './weekly-model';
import { renderWeeklyHtml, renderWeeklyText, reportSubject } from './weekly-render';

type Reads<T extends readonly unknown[]> = { readonly [K in keyof T]: () => Promise<T[K]> };

function inParallel<T extends readonly unknown[]>(reads: Reads<T>): Promise<T> {
  return Promise.all(reads.map((r) => r())) as Promise<unknown> as Promise<T>;
}

async function inSequence<T extends readonly unknown[]>(reads: Reads<T>): Promise<T> {
  const out: unknown[] = [];
  for (const r of reads) out.push(await r());
  return out as unknown as T;
}

/** The outbox receiver of weekly reports. A colon cannot appear in a configured receiver's name, so it never collides with one. */
export const WEEKLY_REPORT_RECEIVER = 'report:weekly';
export const WEEKLY_REPORT_KIND = 'weekly';

/** Where the report's SLO numbers come from: each configured SLO as of the end of [start, end). */
export interface SloSource {
  forWeek(start: number, end: number, timezone: string): Promise<SloWeekInput[]>;
}

export interface WeeklyReportOptions {
  timezone: string;
  externalUrl?: string;
  subjectPrefix?: string;
}

/**
 * The report's options from the config: its time zone (UTC without reports.weekly), and where
 * incident links point — only with alerting.external_url: the listen address is rarely what a
 * mail reader can open.
 */
export function weeklyOptions(raw: RawConfig): WeeklyReportOptions {
  return { timezone: raw.reports.weekly?.timezone ?? 'UTC', externalUrl: raw.alerting.external_url };
}

export interface WeeklyMail {
  report: WeeklyReport;
  subject: string;
  html: string;
  text: string;
  images: ReportImage[];
}

/** The last complete ISO week at instant `t` in `tz`: what a report sent at `t` covers (Monday 09:00 reports last week). */
export function reportedWeek(t: number, tz: string): string {
  const { start } = weekRange(isoWeekOf(t, tz), tz);
  return isoWeekOf(start - 1, tz);
}

/** The latest firing of `cron` at or before `now`, and the week a report sent then covers. */
export function duePeriod(cron: string, tz: string, now: number): { firing: number; week: string } | undefined {
  const firing = cronPrevious(cron, now, tz, 8);
  return firing === undefined ? undefined : { firing, week: reportedWeek(firing, tz) };
}

/** "2026-W47" → its [start, end) in `tz`, or a 400 for anything else. */
export function parseWeek(week: string, tz: string): { start: number; end: number } {
  try {
    return weekRange(week, tz);
  } catch (err) {
    throw new DomainError('bad_request', `week: ${(err as Error).message}`, { week });
  }
}

/**
 * Builds, renders and sends the weekly report. Reading and rendering are the same for the mail,
 * the HTML preview and the CLI; sending goes through the reports ledger (once per week) and the
 * notification outbox, like every alert.
 */
export class WeeklyReporter {
  private readonly ledger: ReportLedger;

  constructor(
    private readonly ds: DataSource,
    private readonly slos: SloSource | undefined,
    private readonly clock: Clock,
  ) {
    this.ledger = new ReportLedger(ds);
  }

  async build(week: string, o: WeeklyReportOptions, db: Queryable = this.ds): Promise<WeeklyReport> {
    const { start, end } = parseWeek(week, o.timezone);
    const repo = new ReportRepository(db);
    const slosRead = this.slos ? this.slos.forWeek(start, end, o.timezone) : Promise.resolve(undefined);
    // Inside sendOnce's transaction `db` is one connection, which runs one query at a time (pg warns
    // when given more at once, and pg 9 refuses); on the pool the reads go in parallel.
    const [[incidents, openAtEnd, failovers, flappy, oldestRaw], slos] = await Promise.all([
      (db === this.ds ? inParallel : inSequence)([
        () => repo.incidents(start, end),
        () => repo.openAt(end),
        () => repo.failovers(start, end),
        () => repo.flappiest(start, end, 10),
        () => repo.oldestRawResult(),
      ] as const),
      slosRead,
    ]);
    return buildWeeklyReport({
      week,
      timezone: o.timezone,
      start,
      end,
      generatedAt: this.clock.now(),
      slos: slos ?? [],
      slosUnavailable: slos ? undefined : 'SLO figures are not available in this build.',
      incidents,
      openAtEnd,
      failovers,
      flappy,
      rawMissing: oldestRaw === undefined || oldestRaw >= end,
      rawCoverageFrom: oldestRaw !== undefined && oldestRaw > start && oldestRaw < end ? oldestRaw : undefined,
      externalUrl: o.externalUrl?.replace(/\/$/, ''),
    });
  }

  async mail(week: string, o: WeeklyReportOptions, db?: Queryable): Promise<WeeklyMail> {
    const report = await this.build(week, o, db);
    const images = weeklyCharts(report);
    return { report, subject: reportSubject(report, o.subjectPrefix), html: renderWeeklyHtml(report, imageSources(images, 'cid')), text: renderWeeklyText(report), images };
  }

  /** The HTML a browser shows: the same as the mail, with the charts as data: URIs. */
  async previewHtml(week: string, o: WeeklyReportOptions): Promise<string> {
    const report = await this.build(week, o);
    return renderWeeklyHtml(report, imageSources(weeklyCharts(report), 'data'));
  }

  async text(week: string, o: WeeklyReportOptions): Promise<string> {
    return renderWeeklyText(await this.build(week, o));
  }

  /**
   * Sends the report for `week` unless it was already sent: the first caller claims the week in
   * the ledger, builds the mail and writes its outbox row in one transaction. The caller
   * enqueues the returned notification ids (the outbox relay would, too, a little later).
   */
  async sendOnce(week: string, o: WeeklyReportOptions, by: { createdBy: string; scheduledFor?: number }): Promise<SendOnceResult> {
    const { start, end } = parseWeek(week, o.timezone);
    return this.ledger.sendOnce({ kind: WEEKLY_REPORT_KIND, period: week, start, end, scheduledFor: by.scheduledFor, createdBy: by.createdBy }, async (db) => {
      const m = await this.mail(week, o, db);
      const id = `report-${WEEKLY_REPORT_KIND}-${week}-email`;
      const payload: NotificationPayload = {
        id,
        receiver: WEEKLY_REPORT_RECEIVER,
        status: 'resolved',
        groupKey: `report:${WEEKLY_REPORT_KIND}:${week}`,
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        alerts: [],
        externalUrl: o.externalUrl ?? '',
        kind: 'report',
        report: {
          subject: m.subject,
          html: m.html,
          text: m.text,
          attachments: m.images.map((i) => ({ filename: i.filename, cid: i.cid, contentType: i.contentType, contentBase64: i.png.toString('base64') })),
        },
      };
      return [{ id, receiver: WEEKLY_REPORT_RECEIVER, channel: 'email', payload }];
    });
  }
}
