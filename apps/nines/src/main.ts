import 'reflect-metadata';
import { createLogger } from '../../../libs/common/src/logger';
import { DependencyError, DomainError } from '../../../libs/common/src/errors';
import { DrillRepository } from '../../../libs/incidents/src/drill.repository';
import { secretScrubber } from '../../../libs/common/src/secrets';
import { loadConfigFile } from '../../../libs/config/src/config-holder';
import { ConfigError, formatIssues } from '../../../libs/config/src/errors';
import { describeRedis, readSettings, SettingsError } from '../../../libs/config/src/settings';
import { createDataSource, ensureDatabase, initializeDataSource, migrate } from '../../../libs/storage/src/database';
import { startNines } from './bootstrap';
import { whereToLook } from './runtime/where-to-look';
import { weeklyReport } from './reports/report.command';
import { sloCommand } from './slo/slo-import.command';
import { tokenCommand } from './access/token.command';

const USAGE = `usage: nines <command>

commands:
  start                      run Nines (roles from NINES_ROLES, default api,prober,worker)
  migrate                    apply database migrations and exit
  check-config [FILE]        validate a config file (default: NINES_CONFIG or nines.yaml); exit 0 valid, 1 invalid
  drill start|stop --system NAME [--by WHO] [--note TEXT]
                             record a planned switchover: its events and incidents are drills, not outages
  report weekly [--week YYYY-Www] [--send]
                             print the weekly SLO report as text (default: the last complete week),
                             or queue it for reports.weekly.to once (a running worker delivers it)
  slo import FILE [--out FILE] [--config NINES_YAML]
                             convert OpenSLO v1 SLO documents into the slos: section of nines.yaml
  token create --name NAME --role viewer|responder|admin|ingest [--source S] [--expires 90d]
                             create an API token; prints it alone on the last line, once
  token list [--revoked]     tokens with role, creation, expiry and last use (never the token)
  token revoke NAME          revoke the live token of that name (effective within a second)
  help                       this text

environment: NINES_CONFIG, NINES_PORT (9797), NINES_HOST (127.0.0.1), DATABASE_URL, REDIS_URL,
             REDIS_PASSWORD, REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_SENTINEL_PASSWORD,
             NINES_ROLES, NINES_LOG_LEVEL, NINES_INSTANCE_ID`;

/** Prints a failure as one line (what, and how to fix it) and exits; never a stack trace. */
function die(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${formatIssues(err.issues)}\n`);
  } else if (err instanceof DependencyError) {
    process.stderr.write(`nines: ${secretScrubber.scrub(`${err.message}: ${err.hint}`)}\n`);
  } else if (err instanceof SettingsError) {
    process.stderr.write(`nines: ${err.message}\n`);
  } else {
    const e = err as Error & { oneLine?: boolean };
    process.stderr.write(`nines: ${secretScrubber.scrub(e?.message ?? String(err))}\n`);
    if (!e?.oneLine && process.env.NINES_DEBUG) process.stderr.write(`${e?.stack}\n`);
  }
  process.exit(1);
}

async function checkConfig(file: string | undefined): Promise<void> {
  const settings = readSettings();
  const path = file ?? settings.configPath;
  try {
    const c = await loadConfigFile(path, settings.env);
    process.stdout.write(`${path}: ok (${c.systems.length} systems, ${c.targets.length} probe targets, ${c.raw.slos.length} SLOs)\n`);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stdout.write(`${formatIssues(err.issues)}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function runMigrations(): Promise<void> {
  const settings = readSettings();
  await ensureDatabase(settings.databaseUrl);
  const ds = createDataSource(settings.databaseUrl, { poolSize: 2, applicationName: 'nines-migrate' });
  await initializeDataSource(ds, settings.databaseUrl);
  try {
    const ran = await migrate(ds);
    process.stdout.write(ran.length ? `applied: ${ran.join(', ')}\n` : 'nothing to migrate: the database is up to date\n');
  } finally {
    await ds.destroy();
  }
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function drill(args: string[]): Promise<void> {
  const action = args[0];
  const system = flag(args, 'system');
  if ((action !== 'start' && action !== 'stop') || !system) {
    process.stderr.write('usage: nines drill start|stop --system NAME [--by WHO] [--note TEXT]\n');
    process.exit(2);
  }
  const settings = readSettings();
  const ds = createDataSource(settings.databaseUrl, { poolSize: 1, applicationName: 'nines-drill' });
  await initializeDataSource(ds, settings.databaseUrl);
  try {
    const drills = new DrillRepository(ds);
    const row = action === 'start' ? await drills.start(system, flag(args, 'by') ?? settings.env.USER ?? 'cli', flag(args, 'note')) : await drills.stop(system);
    process.stdout.write(action === 'start' ? `drill ${row.id} started on ${system}\n` : `drill ${row.id} on ${system} stopped\n`);
  } catch (err) {
    if (err instanceof DomainError) {
      process.stderr.write(`nines: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  } finally {
    await ds.destroy();
  }
}

async function start(): Promise<void> {
  const settings = readSettings();
  const logger = createLogger({ level: settings.logLevel });
  if (settings.configPathWasDefault && settings.configPath !== 'nines.yaml') logger.info(`no nines.yaml here: using ${settings.configPath}`);
  for (const notice of settings.notices) logger.warn(notice);
  const running = await startNines(settings, logger);
  process.stderr.write(`${whereToLook(running.url, settings.roles, { redis: describeRedis(settings.redis) }).join('\n')}\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    running.stop().then(
      () => {
        logger.flush?.();
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd ?? 'start') {
    case 'start':
      return start();
    case 'migrate':
      return runMigrations();
    case 'check-config':
      return checkConfig(rest[0]);
    case 'drill':
      return drill(rest);
    case 'report':
      return weeklyReport(rest);
    case 'slo':
      return sloCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      process.stderr.write(`nines: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}\n`);
      process.exit(2);
  }
}

if (require.main === module) main(process.argv.slice(2)).catch(die);
export { die };
