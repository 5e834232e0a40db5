import { Client } from 'pg';

/**
 * Test isolation: every test file gets its own PostgreSQL database and its own Redis database
 * index, so files can run in parallel without fighting over tables, keys or ports.
 */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_BASE_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a fresh, empty database (dropping a leftover of the same name) and returns its URL. */
export async function freshDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  // TEST_DB_PREFIX lets two checkouts run the same test file at once against one PostgreSQL.
  const db = `${process.env.TEST_DB_PREFIX ?? 'nines_test_'}${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${db}" with (force)`);
    await admin.query(`create database "${db}"`);
  } finally {
    await admin.end();
  }
  return {
    url: dbUrl(db),
    async drop() {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists "${db}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A Redis database index reserved for one test file (1..15; 0 is left to a developer's own
 * Nines). Indexes are fixed per file name in REDIS_DBS so parallel files never share one.
 */
export const REDIS_DBS: Record<string, number> = {
  'engine-replicas': 1,
  'api': 2,
  'storage': 3,
  'drivers': 4,
  'config-reload': 5,
  'secrets': 6,
  'metrics': 7,
  'migrations': 8,
  'dependencies': 9,
  'incidents-api': 10,
  'weekly-report': 11,
  'grafana-queries': 12,
  'chaos': 13,
  'bench-failover-detection': 14,
  'bench': 15,
};

export function redisUrlFor(file: keyof typeof REDIS_DBS | string): string {
  const n = REDIS_DBS[file];
  if (n === undefined) throw new Error(`add ${file} to REDIS_DBS in test/support/env.ts`);
  return `${REDIS_BASE_URL}/${n}`;
}
