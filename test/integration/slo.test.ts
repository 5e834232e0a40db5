import { AuditRepository } from '../../libs/access/src/audit.repository';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ManualClock } from '../../libs/common/src/clock';
import { DomainError } from '../../libs/common/src/errors';
import { createLogger } from '../../libs/common/src/logger';
import { parseConfig } from '../../libs/config/src/config';
import { ConfigHolder } from '../../libs/config/src/config-holder';
import type { Settings } from '../../libs/config/src/settings';
import { NinesMetrics } from '../../libs/metrics/src/metrics';
import { AlertRepository } from '../../libs/alerting/src/alert.repository';
import { NotificationRepository } from '../../libs/notify/src/notification.repository';
import { Outbox } from '../../libs/notify/src/outbox';
import { SloAlertStateRepository } from '../../libs/slo/src/slo-alert-state.repository';
import { SloDataRepository } from '../../libs/slo/src/slo-data.repository';
import { LATENCY_BUCKETS_MS } from '../../libs/slo/src/latency-buckets';
import { RollupCompactionRepository } from '../../libs/slo/src/rollup-compaction.repository';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { ResultRepository, type ResultRow } from '../../libs/storage/src/result.repository';
import { TargetRepository } from '../../libs/storage/src/target.repository';
import type { NotificationQueue } from '../../apps/nines/src/delivery/notification-queue';
import { SloAlertService } from '../../apps/nines/src/slo/slo-alerts.service';
import { SloService } from '../../apps/nines/src/slo/slo.service';
import { freshDatabase } from '../support/env';

const ANON = { actor: 'anonymous', role: 'anonymous' };

/**
 * Weeks of known probe history in PostgreSQL — most of it written straight into the per-minute
 * rollup, the last week of one target through the real result writer — and the SLO numbers
 * the API answers, checked against numbers worked out by hand below. Then the same numbers
 * again after the closed hours moved into the day rows, and once more after a late result.
 */
const MIN = 60_000;
const T = (s: string) => Date.parse(s);
const NOW = T('2026-03-22T10:30:20Z');

const CONFIG = `
systems:
  - name: cache
    layer: cache
    kind: redis
    members:
      - { name: r1, probe: { kind: tcp, address: "127.0.0.1:1" }, interval: 60s }
      - { name: r2, probe: { kind: tcp, address: "127.0.0.1:1" }, interval: 60s }
targets:
  - { name: web, probe: { kind: http, url: "http://127.0.0.1:1/" }, interval: 60s }
  - { name: api, probe: { kind: http, url: "http://127.0.0.1:1/" }, interval: 10s, labels: { team: shop } }
slos:
  - { name: web-30d, selector: { target: web }, objective: 99.9, window: 30d }
  - { name: web-month-tokyo, selector: { target: web }, objective: 99.8, window: month, timezone: Asia/Tokyo }
  - { name: cache-7d, selector: { system: cache }, objective: 99.5, window: 7d }
  - { name: api-fast, selector: { labels: { team: shop } }, sli: { kind: latency, threshold: 250ms }, objective: 99, window: 7d }
alerting:
  receivers: [{ name: oncall, webhook: { url: "http://127.0.0.1:9/hook", allow_private: true } }]
  route: { receiver: oncall, group_wait: 0s, group_by: [slo] }
`;

type Range = [string, string];

describe('SLOs over weeks of known history (PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let sql: Client;
  let slos: SloService;
  let ids: Map<string, number>;
  const clock = new ManualClock(NOW);
  const config = new ConfigHolder('/dev/null', parseConfig(CONFIG, {}), {});

  /** One probe a minute over [from, to), successful (50 ms) except in `bad`, missing in `gaps`. */
  async function minuteHistory(key: string, from: string, to: string, bad: Range[] = [], gaps: Range[] = []) {
    const lat = LATENCY_BUCKETS_MS.map((ms) => (ms >= 50 ? 's' : '0')).join(', ');
    await sql.query(
      `insert into probe_rollup_minute (target_id, minute, total, successes, latency_sum_ms, latency_max_ms, ${LATENCY_BUCKETS_MS.map((ms) => `lat_le_${ms}`).join(', ')})
       select $1, m, 1, s, 50 * s, 50, ${lat}
         from generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m,
              lateral (select case when exists (select 1 from unnest($4::timestamptz[], $5::timestamptz[]) b(f, t) where m >= b.f and m < b.t) then 0 else 1 end as s) x
        where not exists (select 1 from unnest($6::timestamptz[], $7::timestamptz[]) g(f, t) where m >= g.f and m < g.t)`,
      [ids.get(key), from, to, bad.map((b) => b[0]), bad.map((b) => b[1]), gaps.map((g) => g[0]), gaps.map((g) => g[1])],
    );
  }

  before(async () => {
    db = await freshDatabase('slo');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await migrate(ds);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    ids = await new TargetRepository(ds).sync(config.get());

    // web: 35 days, one probe a minute; a 40-minute outage on March 5, Nines down 3 hours on
    // March 10, and 12 failed minutes just before "now".
    await minuteHistory('web', '2026-02-15T00:00Z', '2026-03-22T10:30Z', [
      ['2026-03-05T10:00Z', '2026-03-05T10:40Z'],
      ['2026-03-22T09:50Z', '2026-03-22T10:02Z'],
    ], [['2026-03-10T00:00Z', '2026-03-10T03:00Z']]);
    // cache: r1 down 12:00-13:00 and r2 down 12:30-13:30 on March 20 (both: 30 minutes); both
    // down during a 20-minute drill on March 18; r2 not probed for an hour (r1 was up) and
    // neither for 10 minutes on March 21.
    await minuteHistory('cache/r1', '2026-03-14T00:00Z', '2026-03-22T10:30Z', [['2026-03-20T12:00Z', '2026-03-20T13:00Z'], ['2026-03-18T08:00Z', '2026-03-18T08:20Z']], [['2026-03-21T05:00Z', '2026-03-21T05:10Z']]);
    await minuteHistory('cache/r2', '2026-03-14T00:00Z', '2026-03-22T10:30Z', [['2026-03-20T12:30Z', '2026-03-20T13:30Z'], ['2026-03-18T08:00Z', '2026-03-18T08:20Z']], [
      ['2026-03-21T00:00Z', '2026-03-21T01:00Z'],
      ['2026-03-21T05:00Z', '2026-03-21T05:10Z'],
    ]);
    await sql.query(`insert into drills (system, started_at, ended_at) values ('cache', '2026-03-18T08:00Z', '2026-03-18T08:20Z')`);
    // api: every 10 s for the 7 days of its window, through the result writer; the first probe
    // of every hour takes 400 ms (slower than 250 ms), the rest 100 ms.
    const rows: ResultRow[] = [];
    for (let t = T('2026-03-15T10:30Z'); t < T('2026-03-22T10:30Z'); t += 10_000) {
      const slow = t % 3_600_000 === 0;
      rows.push({ targetId: ids.get('api')!, result: { targetKey: 'api', scheduledAt: t, startedAt: t, durationMs: slow ? 400 : 100, up: true } });
    }
    const writer = new ResultRepository(ds);
    for (let i = 0; i < rows.length; i += 5000) await writer.writeBatch(rows.slice(i, i + 5000), []);

    slos = new SloService(ds, config, clock, createLogger({ level: 'silent' }), new SloDataRepository(ds), new AuditRepository(ds));
  });

  after(async () => {
    await sql?.end();
    await ds?.destroy();
    await db?.drop();
  });

  const byName = async () => new Map((await slos.list(NOW)).slos.map((s) => [s.name, s]));
  const close = (a: number | null, b: number, what: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

  const checkWeb30d = (s: Awaited<ReturnType<typeof byName>> extends Map<string, infer V> ? V : never) => {
    // [Feb 20 10:30, Mar 22 10:30): 43,200 minutes, 180 unknown, 52 bad.
    assert.equal(s.window.start, '2026-02-20T10:30:00.000Z');
    assert.equal(s.window.end, '2026-03-22T10:30:00.000Z');
    assert.deepEqual(s.events, { good: 42_968, bad: 52, valid: 43_020, unknown: 180, expected: 43_200, excluded: 0 });
    close(s.availability, 42_968 / 43_020, 'availability');
    close(s.nines, +(-Math.log10(52 / 43_020)).toFixed(4), 'nines');
    close(s.error_budget.total_events, 43.02, 'budget');
    assert.equal(s.error_budget.remaining_ms, -538_800); // 43.02 − 52 = −8.98 minutes
    assert.equal(s.error_budget.exhausted, true);
    assert.equal(s.error_budget.summary, 'budget exhausted: 8m 59s over in the last 30d');
    assert.equal(s.time.unknown_ms, 180 * MIN);
    // Bad minutes in each burn window: 5m 0, 30m 2 (10:00, 10:01), the rest all 12.
    const expected = { '5m': 0, '30m': 2 / 30, '1h': 12 / 60, '2h': 12 / 120, '6h': 12 / 360, '1d': 12 / 1440, '3d': 12 / 4320 };
    for (const [w, ratio] of Object.entries(expected)) close(s.burn_rates[w], +(ratio / 0.001).toFixed(9), `burn ${w}`);
    assert.deepEqual(s.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.long_window}/${a.short_window}`), ['page 6h/30m', 'ticket 1d/2h', 'ticket 3d/6h']);
    assert.equal(s.exhaustion.in_ms, 0);
  };

  it('web, 30 days rolling: outage, unknown gap, exhausted budget, burn rates, alert pairs', async () => {
    checkWeb30d((await byName()).get('web-30d')!);
  });

  it('web, calendar month in Asia/Tokyo: the month began at 15:00 UTC on Feb 28; 36m 55s left', async () => {
    const s = (await byName()).get('web-month-tokyo')!;
    assert.equal(s.window.start, '2026-02-28T15:00:00.000Z');
    assert.equal(s.window.period_end, '2026-03-31T15:00:00.000Z');
    // 31,410 minutes so far, 180 unknown; the rest of March (13,230 minutes) counts towards the budget.
    assert.deepEqual(s.events, { good: 31_178, bad: 52, valid: 31_230, unknown: 180, expected: 31_410, excluded: 0 });
    close(s.error_budget.total_events, 0.002 * (31_230 + 13_230), 'budget');
    assert.equal(s.error_budget.remaining_ms, 2_215_200);
    assert.equal(s.error_budget.summary, '36m 55s of downtime left this month');
  });

  it('the detail has a daily series in local days: the outage on March 5, the gap on March 10 (JST)', async () => {
    const s = await slos.get('web-month-tokyo', NOW);
    assert.equal(s.daily!.length, 22);
    const day = (d: string) => s.daily!.find((x) => x.day === d)!;
    assert.deepEqual([day('2026-03-05').bad, day('2026-03-05').valid], [40, 1440]);
    assert.deepEqual([day('2026-03-10').unknown, day('2026-03-10').valid], [180, 1260]);
    assert.equal(day('2026-03-22').start, '2026-03-21T15:00:00.000Z');
    assert.deepEqual([day('2026-03-22').bad, day('2026-03-22').valid], [12, 1170]);
    close(day('2026-03-05').budget_consumed_ratio, 40 / 88.92, 'budget used that day');
  });

  it('cache, a system without endpoint: a minute is good when any member answered; the drill is excluded and shown apart', async () => {
    const s = (await byName()).get('cache-7d')!;
    assert.deepEqual(s.measured, { unit: 'minutes (system: any member up)', series: ['cache/@members'] });
    assert.deepEqual(s.events, { good: 10_020, bad: 30, valid: 10_050, unknown: 10, expected: 10_060, excluded: 20 });
    assert.deepEqual(
      { ...s.excluded.drills, ranges: s.excluded.drills.ranges },
      { good: 0, bad: 20, events: 20, ms: 20 * MIN, ranges: [{ start: '2026-03-18T08:00:00.000Z', end: '2026-03-18T08:20:00.000Z' }] },
    );
    assert.equal(s.error_budget.summary, '20m 15s of downtime left in the last 7d');
    close(s.burn_rates['3d'], +(30 / 4310 / 0.005).toFixed(9), 'burn 3d');
    assert.equal(s.burn_rates['6h'], 0);
  });

  it('api, latency under 250 ms, written through the result writer: 168 slow probes of 60,480', async () => {
    const s = (await byName()).get('api-fast')!;
    assert.deepEqual(s.events, { good: 60_312, bad: 168, valid: 60_480, unknown: 0, expected: 60_480, excluded: 0 });
    close(s.error_budget.consumed_ratio, 168 / 604.8, 'consumed');
    assert.equal(s.error_budget.remaining_ms, 4_368_000); // 436.8 probes of 10 s
    assert.equal(s.error_budget.summary, '1h 12m of downtime left in the last 7d');
    close(s.burn_rates['1h'], +(1 / 360 / 0.01).toFixed(9), 'burn 1h');
  });

  it('the same numbers after the closed hours are copied into day rows, and with a late result before and after it is merged', async () => {
    const before = await byName();
    const r = await new RollupCompactionRepository(ds).compact({ now: NOW, minuteRetentionMs: 400 * 86_400_000 });
    assert.equal(r!.cutoff, T('2026-03-22T10:00Z'));
    // The first run starts at the oldest minute and copies a week at most; later runs catch up.
    assert.equal(r!.watermark, T('2026-02-22T00:00Z'));
    let runs = 1;
    for (let w = r!.watermark; w < r!.cutoff; runs++) w = (await new RollupCompactionRepository(ds).compact({ now: NOW, minuteRetentionMs: 400 * 86_400_000 }))!.watermark;
    assert.equal(runs, 6);
    const { rows } = await sql.query(`select count(*)::int as n from probe_rollup_minute`);
    assert.ok(rows[0].n > 50_000, 'per-minute rows stay for Grafana and SQL');
    const afterCompaction = await byName();
    for (const [name, s] of before) assert.deepEqual(afterCompaction.get(name), s, `${name} changed when its rollups were copied`);
    checkWeb30d(afterCompaction.get('web-30d')!);
    // Compacting again copies nothing.
    assert.equal((await new RollupCompactionRepository(ds).compact({ now: NOW, minuteRetentionMs: 400 * 86_400_000 }))!.movedMinutes, 0);

    // A late failed probe of web for 09:55:30 (an hour already copied): the writer also sends it
    // to probe_rollup_late; it counts at once, once, and again once after the merge.
    await new ResultRepository(ds).writeBatch([{ targetId: ids.get('web')!, result: { targetKey: 'web', scheduledAt: T('2026-03-22T09:55:30Z'), startedAt: 0, durationMs: 3000, up: false } }], []);
    assert.equal((await sql.query(`select count(*)::int as n from probe_rollup_late`)).rows[0].n, 1);
    const late = (await byName()).get('web-30d')!;
    assert.deepEqual([late.events.bad, late.events.valid], [53, 43_021]);
    const merged = await new RollupCompactionRepository(ds).compact({ now: NOW, minuteRetentionMs: 400 * 86_400_000 });
    assert.equal(merged!.daysMerged, 1);
    assert.equal((await sql.query(`select count(*)::int as n from probe_rollup_late`)).rows[0].n, 0);
    assert.deepEqual((await byName()).get('web-30d'), late);
    // Per-minute rows older than their retention (two days by default) go; the SLOs do not change.
    const trimmed = await new RollupCompactionRepository(ds).compact({ now: NOW });
    assert.ok(trimmed!.minutesDropped > 40_000);
    assert.deepEqual((await byName()).get('web-30d'), late);
  });

  it('burn-rate alerts go through the alert pipeline: firing alerts, history and notifications, enqueued', async () => {
    const enqueued: string[] = [];
    const queue = { enqueue: async (ids: string[]) => (enqueued.push(...ids), true) } as unknown as NotificationQueue;
    const settings = { host: '127.0.0.1', port: 9797 } as Settings;
    const service = new SloAlertService(
      ds,
      config,
      settings,
      createLogger({ level: 'silent' }),
      clock,
      new NinesMetrics({ defaultMetrics: false }),
      slos,
      new AlertRepository(ds, clock),
      new SloAlertStateRepository(ds),
      new Outbox(queue, new NotificationRepository(ds)),
    );
    const ids1 = await service.runOnce();
    const { rows } = await sql.query(`select scope, labels, state, annotations->>'summary' as summary from alerts where scope = 'slo:web-30d' order by labels->>'long_window'`);
    assert.deepEqual(
      rows.map((r) => [r.scope, r.labels.severity, r.labels.long_window, r.labels.short_window, r.state]),
      [
        ['slo:web-30d', 'ticket', '1d', '2h', 'firing'],
        ['slo:web-30d', 'ticket', '3d', '6h', 'firing'],
        ['slo:web-30d', 'page', '6h', '30m', 'firing'],
      ],
    );
    assert.deepEqual(rows[2].labels, { alertname: 'SLOBurnRate', severity: 'page', slo: 'web-30d', target: 'web', long_window: '6h', short_window: '30m' });
    // 13 bad minutes in 6 h since the late result: 13 / 360 / 0.001 = 36.1.
    assert.match(rows[2].summary, /^web-30d: error budget burning 36× too fast over 6h \(67× over 30m\): 30\.0% of the 30d budget spent in the last 6h; the budget is exhausted$/);
    // The 7-day latency SLO burns 0.28× over 3 days. With Sloth's 7-day window spec (42% of the
    // budget in 3 days: 0.42 × 7 / 3 = 0.98) that is no ticket; the workbook's 30-day shares
    // scaled to 7 days (0.1 × 7 / 3 = 0.233) made it one before issue 18.
    const others = await sql.query(`select scope, labels->>'long_window' as w from alerts where scope <> 'slo:web-30d' order by 1, 2`);
    assert.deepEqual(others.rows.map((r) => `${r.scope} ${r.w}`), ['slo:web-month-tokyo 1d', 'slo:web-month-tokyo 3d', 'slo:web-month-tokyo 6h']);
    assert.ok(ids1!.length >= 1 && enqueued.length === ids1!.length, 'the notification is enqueued');
    const n = await sql.query(`select receiver, state, payload->'groupLabels' as g from notifications order by payload->'groupLabels'->>'slo'`);
    assert.deepEqual(n.rows.map((r) => [r.receiver, r.state, r.g.slo]), [['oncall', 'pending', 'web-30d'], ['oncall', 'pending', 'web-month-tokyo']]);
    // Another evaluation an evaluation later changes nothing; another replica holding the lock skips.
    clock.advance(30_000);
    assert.deepEqual(await service.runOnce(), []);
    // When the errors age out of the windows, the alerts resolve.
    clock.set(NOW + 3 * 86_400_000);
    await service.runOnce();
    const states = await sql.query(`select distinct state from alerts`);
    assert.deepEqual(states.rows.map((r) => r.state), ['resolved']);
    clock.set(NOW);
  });

  it('SLOs defined through the API join the config ones; names, bodies and references are checked', async () => {
    const created = await slos.create(ANON, { name: 'web-7d', selector: { target: 'web' }, objective: 99, window: '7d', created_by: 'alice' });
    assert.equal(created.source, 'api');
    assert.ok((await slos.list()).slos.some((s) => s.name === 'web-7d'));
    await assert.rejects(slos.create(ANON, { name: 'web-30d', selector: { target: 'web' }, objective: 99, window: '7d', created_by: 'alice' }), (e: unknown) => e instanceof DomainError && e.code === 'conflict');
    await assert.rejects(
      slos.create(ANON, { name: 'x', selector: { target: 'nope' }, objective: 100, window: 'fortnight' }),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'bad_request' &&
        e.message === 'objective: must be below 100 (100% leaves no error budget); window: must be a duration (e.g. 30d) or one of week, month, quarter; created_by: is required',
    );
    await assert.rejects(slos.create(ANON, { name: 'y', selector: { target: 'nope' }, objective: 99, window: '7d', created_by: 'a' }), /selector.target: unknown target "nope"/);
    await assert.rejects(slos.get('nope'), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
    await assert.rejects(slos.remove(ANON, 'web-30d'), (e: unknown) => e instanceof DomainError && e.code === 'conflict');
    assert.deepEqual(await slos.remove(ANON, 'web-7d'), { deleted: 'web-7d' });
  });
});
