import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DependencyError } from '../../common/src/errors';
import { maskUrl } from '../../common/src/secrets';
import { MIGRATIONS } from '../../../migrations';
import { parsePgHosts, PgUrlError, type PgHosts } from './pg-hosts';
import { locatingClient, PrimaryLocator, type LocatorEvents } from './primary-locator';

/** Held while migrating so that any number of replicas starting together migrate once. */
export const MIGRATION_LOCK_ID = 7_297_297_001;

function hostsOf(url: string): PgHosts {
  try {
    return parsePgHosts(url);
  } catch (err) {
    if (err instanceof PgUrlError) throw new DependencyError('postgresql', err.message, 'fix DATABASE_URL (postgres://user:password@host1:5432,host2:5432/nines?target_session_attrs=read-write)');
    throw err;
  }
}

/** Whether a DATABASE_URL names several hosts (or asks for a primary): then a locator picks one. */
export function needsLocator(h: PgHosts): boolean {
  return h.hosts.length > 1 || h.attrs !== 'any';
}

/**
 * The DataSource over DATABASE_URL. With several hosts (libpq style), every new pool connection
 * goes to the current primary, found again after a promotion; failed writes are the callers' to
 * retry (the result writer and the outbox do).
 */
export function createDataSource(url: string, opts: { poolSize?: number; applicationName?: string; locatorEvents?: LocatorEvents } = {}): DataSource {
  const hosts = hostsOf(url);
  const locate = needsLocator(hosts) ? { Client: locatingClient(new PrimaryLocator(hosts, opts.locatorEvents)) } : {};
  return new DataSource({
    type: 'postgres',
    url: hosts.first,
    migrations: MIGRATIONS,
    migrationsTableName: 'nines_migrations',
    synchronize: false,
    logging: false,
    extra: { max: opts.poolSize ?? 10, application_name: opts.applicationName ?? 'nines', connectionTimeoutMillis: 5000, ...locate },
  });
}

function describePgError(err: unknown, url: string): DependencyError {
  const e = err as { code?: string; message?: string };
  const where = maskUrl(url);
  if (e.code === 'ENOPRIMARY') return new DependencyError('postgresql', `${e.message} at ${where}`, 'start or promote a primary, or fix the host list in DATABASE_URL');
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? ''))
    return new DependencyError('postgresql', `cannot reach PostgreSQL at ${where} (${e.code ?? e.message})`, 'start PostgreSQL or set DATABASE_URL to a reachable server');
  if (e.code === '28P01' || e.code === '28000')
    return new DependencyError('postgresql', `PostgreSQL refused the credentials in ${where}`, 'fix the user/password in DATABASE_URL');
  return new DependencyError('postgresql', `PostgreSQL error at ${where}: ${e.message}`, 'check DATABASE_URL and the server log');
}

/** Creates the database named in the URL if it does not exist (safe when replicas race). */
export async function ensureDatabase(given: string): Promise<void> {
  const hosts = hostsOf(given);
  let url = hosts.first;
  if (needsLocator(hosts)) {
    try {
      url = hosts.urlFor(await new PrimaryLocator(hosts).current());
    } catch (err) {
      throw describePgError(err, given);
    }
  }
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw describePgError(err, url);
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query(`create database "${dbName.replace(/"/g, '""')}"`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw describePgError(err, url); // already exists: another replica won
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function initializeDataSource(ds: DataSource, url: string): Promise<void> {
  try {
    await ds.initialize();
  } catch (err) {
    throw describePgError(err, url);
  }
}

/**
 * Runs pending migrations under a session advisory lock. The second and third replica wait on
 * the lock, then find nothing pending.
 */
export async function migrate(ds: DataSource): Promise<string[]> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await qr.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await qr.release();
  }
}

export async function pendingMigrations(ds: DataSource): Promise<boolean> {
  return ds.showMigrations();
}
