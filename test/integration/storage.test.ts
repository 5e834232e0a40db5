import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createLogger } from '../../libs/common/src/logger';
import type { ProbeResult } from '../../libs/probes/src/observation';
import type { TargetState } from '../../libs/probes/src/target-state';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { MAINTENANCE_LOCK_ID, MaintenanceRepository } from '../../libs/storage/src/maintenance.repository';
import { ResultRepository, ResultRow, StateRow } from '../../libs/storage/src/result.repository';
import { ResultWriter } from '../../libs/storage/src/result-writer';
import { StateRepository } from '../../libs/storage/src/state.repository';
import { freshDatabase, redisUrlFor } from '../support/env';

const DAY = 86_400_000;
const MINUTE = 60_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');

function result(key: string, scheduledAt: number, up: boolean, durationMs: number, extra: Partial<ProbeResult> = {}): ProbeResult {
  return { targetKey: key, scheduledAt, startedAt: scheduledAt + 2, durationMs, up, reason: up ? undefined : 'connection refused', ...extra };
}

function stateFor(r: ProbeResult, status: TargetState['status'], since: number): TargetState {
  return { status, since, consecutiveFailures: r.up ? 0 : 1, consecutiveSuccesses: r.up ? 1 : 0, lastResult: r };
}

describe('storage', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let sql: Client;
  let repo: ResultRepository;
  const ids: Record<string, number> = {};

  before(async () => {
    const r = new Redis(redisUrlFor('storage'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('storage');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await migrate(ds);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    for (const key of ['a', 'b', 'c', 'd', 'e', 'w']) {
      const { rows } = await sql.query(`insert into targets (key, name, kind, interval_ms, timeout_ms) values ($1, $1, 'http', 1000, 500) returning id`, [key]);
      ids[key] = rows[0].id;
    }
    // Counts statements (not rows) that insert into probe_results, whatever the client does.
    await sql.query(`create table stmt_log (n serial, at timestamptz default clock_timestamp())`);
    await sql.query(`create function log_stmt() returns trigger language plpgsql as $$ begin insert into stmt_log default values; return null; end $$`);
    await sql.query(`create trigger probe_results_stmt after insert on probe_results for each statement execute function log_stmt()`);
    repo = new ResultRepository(ds);
  });

  after(async () => {
    await sql?.end();
    await ds?.destroy();
    await db?.drop();
  });

  const statements = async () => (await sql.query(`select count(*)::int as n from stmt_log`)).rows[0].n as number;
  const rollup = async (id: number) =>
    (await sql.query(`select extract(epoch from minute) * 1000 as minute, total, successes, latency_sum_ms, latency_max_ms from probe_rollup_minute where target_id = $1 order by minute`, [id])).rows.map((r) => ({
      minute: Number(r.minute),
      total: r.total,
      successes: r.successes,
      sum: Number(r.latency_sum_ms),
      max: Number(r.latency_max_ms),
    }));

  it('writes a batch of raw rows in one statement and an exact per-minute rollup; the same batch again counts nothing', async () => {
    const m0 = Math.floor((Date.now() - 10 * MINUTE) / MINUTE) * MINUTE;
    const durations = [10.5, 20.25, 30, 5, 7.75];
    const ups = [true, false, true, true, false];
    const rows: ResultRow[] = durations.map((d, i) => ({ targetId: ids.a, result: result('a', m0 + i * 10_000, ups[i], d) }));
    const before = await statements();
    const inserted = await repo.writeBatch(rows, []);
    assert.equal(inserted, 5);
    assert.equal((await statements()) - before, 1, 'five rows must go in one multi-row insert');
    const raw = await sql.query(`select count(*)::int as n from probe_results where target_id = $1`, [ids.a]);
    assert.equal(raw.rows[0].n, 5);
    const expected = [{ minute: m0, total: 5, successes: 3, sum: 73.5, max: 30 }];
    assert.deepEqual(await rollup(ids.a), expected);

    assert.equal(await repo.writeBatch(rows, []), 0, 'a batch written twice inserts nothing the second time');
    assert.deepEqual(await rollup(ids.a), expected, 'the rollup must not double-count a retried batch');
    // Half old, half new: only the new rows count.
    const more: ResultRow[] = [rows[0], { targetId: ids.a, result: result('a', m0 + 55_000, true, 40) }];
    assert.equal(await repo.writeBatch(more, []), 1);
    assert.deepEqual(await rollup(ids.a), [{ minute: m0, total: 6, successes: 4, sum: 113.5, max: 40 }]);
  });

  it('splits a batch across minutes and targets', async () => {
    const m0 = Math.floor((Date.now() - 20 * MINUTE) / MINUTE) * MINUTE;
    const rows: ResultRow[] = [
      { targetId: ids.b, result: result('b', m0 + 59_000, true, 1) },
      { targetId: ids.b, result: result('b', m0 + 60_000, false, 2) },
      { targetId: ids.b, result: result('b', m0 + 61_000, true, 4) },
      { targetId: ids.c, result: result('c', m0 + 1_000, true, 8) },
    ];
    assert.equal(await repo.writeBatch(rows, []), 4);
    assert.deepEqual(await rollup(ids.b), [
      { minute: m0, total: 1, successes: 1, sum: 1, max: 1 },
      { minute: m0 + MINUTE, total: 2, successes: 1, sum: 6, max: 4 },
    ]);
    assert.deepEqual(await rollup(ids.c), [{ minute: m0, total: 1, successes: 1, sum: 8, max: 8 }]);
  });

  it('target_state only moves forward: an older result never overwrites a newer one', async () => {
    const t = Date.now() - 5000;
    const newer = result('d', t + 1000, false, 3, { reason: 'connection refused' });
    const older = result('d', t, true, 1, { httpStatus: 200 });
    const newState: StateRow = { targetId: ids.d, state: stateFor(newer, 'down', t + 1000) };
    await repo.writeBatch([{ targetId: ids.d, result: newer }], [newState]);
    await repo.writeBatch([{ targetId: ids.d, result: older }], [{ targetId: ids.d, state: stateFor(older, 'up', t - 60_000) }]);
    const { rows } = await sql.query(`select status, last_success, last_reason, extract(epoch from last_scheduled_at) * 1000 as at, extract(epoch from status_since) * 1000 as since from target_state where target_id = $1`, [ids.d]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'down');
    assert.equal(rows[0].last_success, false);
    assert.equal(rows[0].last_reason, 'connection refused');
    assert.equal(Math.round(Number(rows[0].at)), t + 1000);
    assert.equal(Math.round(Number(rows[0].since)), t + 1000);
    // Both raw rows are still kept: history is not state.
    const raw = await sql.query(`select count(*)::int as n from probe_results where target_id = $1`, [ids.d]);
    assert.equal(raw.rows[0].n, 2);
    // A newer state does replace it.
    const newest = result('d', t + 2000, true, 2);
    await repo.writeBatch([], [{ targetId: ids.d, state: stateFor(newest, 'up', t + 2000) }]);
    const after = await sql.query(`select status from target_state where target_id = $1`, [ids.d]);
    assert.equal(after.rows[0].status, 'up');
  });

  it('a prober taking a target over keeps its `since` unless the status really changed', async () => {
    const since = async () =>
      Math.round(Number((await sql.query(`select extract(epoch from status_since) * 1000 as s from target_state where target_id = $1`, [ids.e])).rows[0].s));
    const t0 = Date.now() - 60_000;
    const first = result('e', t0, true, 1);
    await repo.writeBatch([{ targetId: ids.e, result: first }], [{ targetId: ids.e, state: stateFor(first, 'up', t0) }]);
    // Replica A ran it up to t0+5s; B takes over at t0+10s and, starting from unknown, says "up since now".
    const a = result('e', t0 + 5000, true, 1);
    await repo.writeBatch([{ targetId: ids.e, result: a }], [{ targetId: ids.e, state: stateFor(a, 'up', t0) }]);
    const b = result('e', t0 + 10_000, true, 1);
    await repo.writeBatch([{ targetId: ids.e, result: b }], [{ targetId: ids.e, state: stateFor(b, 'up', t0 + 10_000) }]);
    assert.equal(await since(), t0, 'a takeover with no change of status keeps since');
    // A real flap in between (a failed result recorded) does move since.
    const fail = result('e', t0 + 11_000, false, 1);
    const back = result('e', t0 + 12_000, true, 1);
    await repo.writeBatch([{ targetId: ids.e, result: fail }, { targetId: ids.e, result: back }], [{ targetId: ids.e, state: stateFor(back, 'up', t0 + 12_000) }]);
    assert.equal(await since(), t0 + 12_000, 'an opposite result in between means the status did change');
    // So does a long silence: nobody watched, nobody can say it stayed up.
    const late = result('e', t0 + 12_000 + 10 * MINUTE, true, 1);
    await repo.writeBatch([{ targetId: ids.e, result: late }], [{ targetId: ids.e, state: stateFor(late, 'up', late.scheduledAt) }]);
    assert.equal(await since(), late.scheduledAt);
    // And a different status always takes the new since.
    const down = result('e', late.scheduledAt + 1000, false, 1);
    await repo.writeBatch([{ targetId: ids.e, result: down }], [{ targetId: ids.e, state: stateFor(down, 'down', down.scheduledAt) }]);
    assert.equal(await since(), down.scheduledAt);
  });

  it('seedStates gives a prober taking targets over the stored status, since and streaks; unknown or removed targets give nothing', async () => {
    const t0 = Date.now() + 3_600_000; // newer than anything earlier tests stored for d (state only moves forward)
    const fail = result('d', t0, false, 1);
    await repo.writeBatch([{ targetId: ids.d, result: fail }], [{ targetId: ids.d, state: { ...stateFor(fail, 'down', t0), consecutiveFailures: 7, firstFailureAt: t0 - 2000 } }]);
    const seeds = await new StateRepository(ds).seedStates(['d', 'no-such-target', 'w']);
    assert.deepEqual(seeds.get('d'), { status: 'down', since: t0, consecutiveFailures: 7, consecutiveSuccesses: 0, firstFailureAt: t0 - 2000 });
    assert.equal(seeds.has('no-such-target'), false);
    await sql.query(`update targets set removed_at = now() where key = 'd'`);
    assert.equal((await new StateRepository(ds).seedStates(['d'])).has('d'), false, 'a removed target is not seeded');
    await sql.query(`update targets set removed_at = null where key = 'd'`);
  });

  it('ResultWriter keeps rows through a failed write and writes all of them on the retry', async () => {
    const writer = new ResultWriter(repo, createLogger({ level: 'silent' }), undefined, { flushMs: 60_000, maxBatch: 5000, maxBuffered: 500_000 });
    writer.setTargetIds(new Map([['w', ids.w]]));
    const t0 = Math.floor((Date.now() - 3 * MINUTE) / MINUTE) * MINUTE;
    let last: ProbeResult | undefined;
    for (let i = 0; i < 10; i++) {
      last = result('w', t0 + i * 1000, i % 2 === 0, 1);
      writer.add(last, stateFor(last, 'up', t0));
    }
    // Break the table for one flush: a real failure from PostgreSQL, not a stub.
    await sql.query(`alter table probe_results rename to probe_results_away`);
    try {
      await writer.flush();
    } finally {
      await sql.query(`alter table probe_results_away rename to probe_results`);
    }
    assert.equal(writer.pending(), 10, 'a failed flush keeps every row');
    // More rows arrive while the database was away.
    for (let i = 10; i < 15; i++) {
      last = result('w', t0 + i * 1000, true, 1);
      writer.add(last, stateFor(last, 'up', t0));
    }
    await writer.flush();
    assert.equal(writer.pending(), 0);
    const raw = await sql.query(`select count(*)::int as n from probe_results where target_id = $1`, [ids.w]);
    assert.equal(raw.rows[0].n, 15);
    const roll = await rollup(ids.w);
    assert.equal(roll.reduce((s, r) => s + r.total, 0), 15);
    assert.equal(roll.reduce((s, r) => s + r.successes, 0), 10);
    const st = await sql.query(`select extract(epoch from last_scheduled_at) * 1000 as at from target_state where target_id = $1`, [ids.w]);
    assert.equal(Math.round(Number(st.rows[0].at)), last!.scheduledAt, 'the newest state is the one kept');
    await writer.stop();
  });

  describe('MaintenanceRepository', () => {
    const tables = async (prefix: string) =>
      (await sql.query(`select tablename from pg_tables where schemaname = 'public' and tablename like $1`, [`${prefix}%`])).rows.map((r) => r.tablename as string);

    it('creates partitions ahead, drops raw partitions past retention and deletes default-partition stragglers', async () => {
      const now = Date.now();
      // A partition for 20 days ago (as if created back then) and stragglers in the defaults.
      await sql.query(`select nines_ensure_partitions('probe_results', 'day', $1, $2)`, [new Date(now - 20 * DAY), new Date(now - 20 * DAY + 1)]);
      assert.ok((await tables('probe_results_p')).includes(`probe_results_p${utcDay(now - 20 * DAY)}`));
      await sql.query(`insert into probe_results (target_id, scheduled_at, started_at, duration_ms, success) values ($1, $2, $2, 1, true), ($1, $3, $3, 1, true)`, [
        ids.a,
        new Date(now - 20 * DAY + 1000),
        new Date(now - 30 * DAY),
      ]);
      await sql.query(`insert into probe_rollup_minute (target_id, minute, total, successes, latency_sum_ms, latency_max_ms) values ($1, $2, 1, 1, 1, 1)`, [ids.a, new Date(now - 500 * DAY)]);
      assert.equal((await sql.query(`select count(*)::int as n from probe_results_default`)).rows[0].n, 1);

      const maint = new MaintenanceRepository(ds);
      const r = await maint.run({ now, rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY });
      assert.ok(r, 'the lock was free, so the run must happen');
      assert.ok(r.dropped >= 1, `expected a dropped partition, got ${JSON.stringify(r)}`);
      const raw = await tables('probe_results_p');
      assert.ok(!raw.includes(`probe_results_p${utcDay(now - 20 * DAY)}`), `20-day-old partition still there: ${raw.join(', ')}`);
      for (let d = 0; d <= 3; d++) assert.ok(raw.includes(`probe_results_p${utcDay(now + d * DAY)}`), `no raw partition ${d} days ahead: ${raw.join(', ')}`);
      const nextMonth = new Date(now);
      nextMonth.setUTCDate(1);
      nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
      assert.ok((await tables('probe_rollup_minute_p')).includes(`probe_rollup_minute_p${nextMonth.toISOString().slice(0, 7).replace('-', '')}`), 'no rollup partition for next month');
      assert.equal((await sql.query(`select count(*)::int as n from probe_results_default`)).rows[0].n, 0, 'stragglers past retention deleted');
      assert.equal((await sql.query(`select count(*)::int as n from probe_rollup_minute_default`)).rows[0].n, 0, 'rollup stragglers past retention deleted');
      // Recent data survives.
      assert.ok((await sql.query(`select count(*)::int as n from probe_results where target_id = $1`, [ids.a])).rows[0].n >= 6);

      const again = await maint.run({ now, rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY });
      assert.deepEqual(again, { created: 0, dropped: 0 });
    });

    it('rows that landed in the default partition do not block creating their partition later', async () => {
      // A prober-only deployment kept writing while no worker made partitions ahead.
      const now = Date.now();
      const later = now + 6 * DAY;
      await sql.query(`insert into probe_results (target_id, scheduled_at, started_at, duration_ms, success) values ($1, $2, $2, 1, true)`, [ids.b, new Date(later)]);
      const maint = new MaintenanceRepository(ds);
      const r = await maint.run({ now: later, rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY });
      assert.ok(r && r.created > 0, `maintenance must still create partitions: ${JSON.stringify(r)}`);
      assert.ok((await tables('probe_results_p')).includes(`probe_results_p${utcDay(later)}`));
      const { rows } = await sql.query(`select tableoid::regclass::text as part from probe_results where target_id = $1 and scheduled_at = $2`, [ids.b, new Date(later)]);
      assert.deepEqual(rows, [{ part: `probe_results_p${utcDay(later)}` }], 'the straggler moved into its partition');
    });

    it('a second run while another holds the lock returns undefined', async () => {
      const holder = new Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query('select pg_advisory_lock($1)', [MAINTENANCE_LOCK_ID]);
        const r = await new MaintenanceRepository(ds).run({ now: Date.now(), rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY });
        assert.equal(r, undefined);
        await holder.query('select pg_advisory_unlock($1)', [MAINTENANCE_LOCK_ID]);
        const both = await Promise.all([1, 2].map(() => new MaintenanceRepository(ds).run({ now: Date.now(), rawRetentionMs: 14 * DAY, rollupRetentionMs: 400 * DAY })));
        assert.ok(both.some((x) => x !== undefined), 'with the lock free, at least one run happens');
      } finally {
        await holder.end();
      }
    });
  });
});
