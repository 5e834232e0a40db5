import { systemClock } from '../../../../libs/common/src/clock';
import { createLogger } from '../../../../libs/common/src/logger';
import { toDate } from '../../../../libs/common/src/time';
import { loadConfigFile } from '../../../../libs/config/src/config-holder';
import { readSettings } from '../../../../libs/config/src/settings';
import { reportedWeek, weeklyOptions } from '../../../../libs/reports/src/weekly-report';
import { NotificationRepository } from '../../../../libs/notify/src/notification.repository';
import { Outbox } from '../../../../libs/notify/src/outbox';
import { createDataSource, ensureDatabase, initializeDataSource, migrate } from '../../../../libs/storage/src/database';
import { RedisConnections } from '../runtime/redis';
import { NotificationQueue } from '../delivery/notification-queue';
import { createWeeklyReporter } from './weekly-reporter.provider';

const USAGE = 'usage: nines report weekly [--week YYYY-Www] [--send]';

/**
 * `nines report weekly`: prints the plain-text report, or with --send queues the mail through
 * the same ledger and outbox as the scheduler (so a week already sent is not sent again).
 */
export async function weeklyReport(args: string[]): Promise<void> {
  const weekAt = args.indexOf('--week');
  const week = weekAt >= 0 ? args[weekAt + 1] : undefined;
  const known = new Set(['weekly', '--week', '--send', ...(week ? [week] : [])]);
  if (args[0] !== 'weekly' || (weekAt >= 0 && (!week || week.startsWith('--'))) || args.some((a) => !known.has(a))) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const send = args.includes('--send');
  const settings = readSettings();
  const config = await loadConfigFile(settings.configPath, settings.env);
  const raw = config.raw;
  if (send && !raw.reports.weekly) throw Object.assign(new Error('reports.weekly is not configured in the config: there is no one to send the report to'), { oneLine: true });
  const options = weeklyOptions(raw);
  const period = week ?? reportedWeek(systemClock.now(), options.timezone);

  await ensureDatabase(settings.databaseUrl);
  const ds = createDataSource(settings.databaseUrl, { poolSize: 4, applicationName: 'nines-report' });
  await initializeDataSource(ds, settings.databaseUrl);
  try {
    await migrate(ds);
    const reporter = createWeeklyReporter(ds, systemClock, () => config);
    if (!send) {
      process.stdout.write(await reporter.text(period, options));
      return;
    }
    const r = await reporter.sendOnce(period, options, { createdBy: 'cli' });
    if (!r.sent) {
      process.stdout.write(`the weekly report for ${period} was already sent (${toDate(r.existing.createdAt).toISOString()} by ${r.existing.createdBy}); nothing to do\n`);
      return;
    }
    const logger = createLogger({ level: 'error', destination: process.stderr });
    const redis = new RedisConnections(settings.redis, 'nines-cli');
    const queue = new NotificationQueue(redis, logger);
    // A command must not hang on Redis: after 5 s the rows are left to a worker's relay.
    const timed = { enqueue: (ids: string[]) => Promise.race([queue.enqueue(ids), new Promise<false>((res) => setTimeout(() => res(false), 5000).unref())]) };
    const enqueued = await new Outbox(timed, new NotificationRepository(ds)).enqueue(r.notificationIds);
    await queue.onApplicationShutdown();
    redis.closeAll();
    process.stdout.write(
      `weekly report ${period} queued for ${raw.reports.weekly!.to.join(', ')} (notification ${r.notificationIds.join(', ')})${enqueued ? '' : '; Redis did not answer, so a worker\'s outbox relay will pick it up'}; a running Nines worker delivers it\n`,
    );
  } finally {
    await ds.destroy();
  }
}
