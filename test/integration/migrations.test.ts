import { spawn } from 'node:child_process';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { Client } from 'pg';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { MIGRATIONS } from '../../migrations';
import { freshDatabase, redisUrlFor } from '../support/env';
import { MAIN } from '../support/nines-process';

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');
const utcMonth = (d: Date) => d.toISOString().slice(0, 7).replace(/-/g, '');

describe('migrations', () => {
  before(async () => {
    const r = new Redis(redisUrlFor('migrations'));
    await r.flushdb();
    r.disconnect();
  });

  it('migrates an empty database: tables and the partitions for today exist; a second run is a no-op', async () => {
    const db = await freshDatabase('migrations_empty');
    const ds = createDataSource(db.url, { poolSize: 2 });
    await ds.initialize();
    try {
      const ran = await migrate(ds);
      assert.deepEqual(ran, MIGRATIONS.map((M) => new M().name));
      const tables = await withClient(db.url, async (c) => (await c.query(`select tablename from pg_tables where schemaname = 'public'`)).rows.map((r) => r.tablename as string));
      for (const t of ['systems', 'targets', 'target_state', 'probe_results', 'probe_results_default', 'probe_rollup_minute', 'probe_rollup_minute_default', 'nines_migrations'])
        assert.ok(tables.includes(t), `table ${t} missing; have ${tables.join(', ')}`);
      const now = new Date();
      assert.ok(tables.includes(`probe_results_p${utcDay(now)}`), `no raw partition for today (${utcDay(now)}): ${tables.join(', ')}`);
      assert.ok(tables.includes(`probe_results_p${utcDay(new Date(Date.now() + 86_400_000))}`), 'no raw partition for tomorrow');
      assert.ok(tables.includes(`probe_rollup_minute_p${utcMonth(now)}`), `no rollup partition for this month (${utcMonth(now)})`);
      // A row for now lands in today's partition, not the default one.
      await withClient(db.url, async (c) => {
        await c.query(`insert into probe_results (target_id, scheduled_at, started_at, duration_ms, success) values (1, now(), now(), 1, true)`);
        const { rows } = await c.query(`select tableoid::regclass::text as part from probe_results`);
        assert.equal(rows[0].part, `probe_results_p${utcDay(new Date())}`);
      });

      assert.deepEqual(await migrate(ds), [], 'second migrate must apply nothing');
      const recorded = await withClient(db.url, async (c) => (await c.query(`select name from nines_migrations`)).rows);
      assert.equal(recorded.length, MIGRATIONS.length);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });

  it('three `nines migrate` processes at once against a database that does not exist yet: all exit 0, each migration recorded once', async () => {
    const db = await freshDatabase('migrations_race');
    await db.drop(); // let the three processes race to create it too
    try {
      const results = await Promise.all([1, 2, 3].map(() => run(['migrate'], { DATABASE_URL: db.url })));
      for (const r of results) assert.equal(r.code, 0, `migrate exited ${r.code}: ${r.stderr}${r.stdout}`);
      assert.equal(results.filter((r) => r.stdout.startsWith('applied:')).length, 1, results.map((r) => r.stdout).join(''));
      assert.equal(results.filter((r) => r.stdout.startsWith('nothing to migrate')).length, 2, results.map((r) => r.stdout).join(''));
      const recorded = await withClient(db.url, async (c) => (await c.query(`select name, count(*)::int as n from nines_migrations group by name order by min(id)`)).rows);
      assert.deepEqual(recorded, MIGRATIONS.map((M) => ({ name: new M().name, n: 1 })));
    } finally {
      await db.drop();
    }
  });

  it('`nines migrate` against an unreachable PostgreSQL: exit 1, one line naming PostgreSQL and the fix, no stack, no password', async () => {
    const r = await run(['migrate'], { DATABASE_URL: 'postgres://nines:Hunter2Secret@127.0.0.1:1/nines' });
    assert.equal(r.code, 1);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
    assert.match(lines[0], /PostgreSQL/);
    assert.match(lines[0], /DATABASE_URL/);
    assert.doesNotMatch(r.stderr, /\bat .+:\d+:\d+\)?$/m, 'no stack trace');
    assert.ok(!r.stderr.includes('Hunter2Secret') && !r.stdout.includes('Hunter2Secret'), `password printed: ${r.stderr}`);
  });

});
