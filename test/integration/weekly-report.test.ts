import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { ManualClock } from '../../libs/common/src/clock';
import { DomainError } from '../../libs/common/src/errors';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { WeeklyReporter, WEEKLY_REPORT_RECEIVER } from '../../libs/reports/src/weekly-report';
import { EngineSloSource } from '../../libs/reports/src/slo-source';
import { toDefinition } from '../../libs/slo/src/definition';
import { RollupRepository } from '../../libs/slo/src/rollup.repository';
import { SloDataRepository } from '../../libs/slo/src/slo-data.repository';
import { freshDatabase } from '../support/env';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const START = Date.UTC(2026, 10, 2); // 2026-W45: Mon 2 Nov 2026 00:00 UTC
const END = START + 7 * D;
const iso = (t: number) => new Date(t).toISOString();
const OPTIONS = { timezone: 'UTC', externalUrl: 'https://nines.example.com' };

/** measurements as the incident code records them (libs/incidents/src/measure.ts). */
function measurements(m: { ttd?: number; rto?: number; rpoS?: number; rpoB?: number; lsn?: number; tta?: number; ttr?: number }) {
  const v = (x?: number) => (x === undefined ? { measured: 'n/a' } : { value_ms: x, measured: 'test' });
  return {
    time_to_detect: v(m.ttd),
    rto: v(m.rto),
    failover_duration: v(),
    rpo: { lag_seconds: m.rpoS, lag_bytes: m.rpoB, lsn_diff_bytes: m.lsn, measured: 'test' },
    time_to_acknowledge: v(m.tta),
    time_to_resolve: v(m.ttr),
  };
}

describe('weekly report from a known week in PostgreSQL (2026-W45, UTC)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  const ids: Record<string, number> = {};

  async function incident(key: string, row: { title: string; severity: string; root: string; systems: string[]; opened: number; acked?: number; by?: string; resolved?: number; drill?: boolean; failovers?: number; m: Parameters<typeof measurements>[0] }) {
    const [r] = await ds.query(
      `insert into incidents (state, severity, title, root_system, systems, opened_at, acknowledged_at, acknowledged_by, resolved_at, drill, failovers, measurements)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id::int`,
      [row.resolved !== undefined ? 'resolved' : 'open', row.severity, row.title, row.root, row.systems, iso(row.opened), row.acked !== undefined ? iso(row.acked) : null, row.by ?? null, row.resolved !== undefined ? iso(row.resolved) : null, row.drill ?? false, row.failovers ?? 0, JSON.stringify(measurements(row.m))],
    );
    ids[key] = r.id;
  }

  async function event(at: number, system: string, kind: string, drill = false) {
    await ds.query(`insert into events (at, system, kind, severity, bad, message, drill) values ($1, $2, $3, 'warning', false, $4, $5)`, [iso(at), system, kind, `${kind} on ${system}`, drill]);
  }

  /** One probe every 10 minutes over [from, to); `failing` says which tick numbers fail. */
  async function results(target: string, from: number, to: number, failing: (i: number) => boolean) {
    const [{ id }] = await ds.query(`select id from targets where key = $1`, [target]);
    const ticks: number[] = [];
    for (let t = from; t < to; t += 10 * MIN) ticks.push(t);
    await ds.query(
      `insert into probe_results (target_id, scheduled_at, started_at, duration_ms, success)
       select $1, t, t, 3, s from unnest($2::timestamptz[], $3::boolean[]) as x(t, s)`,
      [id, ticks.map(iso), ticks.map((_, i) => !failing(i))],
    );
  }

  before(async () => {
    db = await freshDatabase('weekly_report');
    ds = createDataSource(db.url, { poolSize: 6 });
    await ds.initialize();
    await migrate(ds);

    // Incidents: three real ones and a drill in the week, one before it, one after it.
    await incident('A', { title: 'orders-db: primary pg1 lost, pg2 promoted', severity: 'critical', root: 'orders-db', systems: ['orders-db', 'web'], opened: Date.UTC(2026, 10, 3, 3, 12), acked: Date.UTC(2026, 10, 3, 3, 16), by: 'alice', resolved: Date.UTC(2026, 10, 3, 3, 25), failovers: 1, m: { ttd: 3000, rto: 95_000, rpoS: 0.8, rpoB: 4096, lsn: 12_288, tta: 240_000, ttr: 783_000 } });
    await incident('B', { title: 'ledger-db: planned switchover', severity: 'critical', root: 'ledger-db', systems: ['ledger-db'], opened: Date.UTC(2026, 10, 4, 10), acked: Date.UTC(2026, 10, 4, 10, 0, 10), resolved: Date.UTC(2026, 10, 4, 10, 1), drill: true, failovers: 1, m: { tta: 10_000, ttr: 61_000 } });
    await incident('C', { title: 'sessions: endpoint down', severity: 'warning', root: 'sessions', systems: ['sessions'], opened: Date.UTC(2026, 10, 5, 14), resolved: Date.UTC(2026, 10, 5, 14, 20), m: { ttd: 2000, rto: 1_190_000, ttr: 1_202_000 } });
    await incident('D', { title: 'orders-db: replica pg3 lagging', severity: 'critical', root: 'orders-db', systems: ['orders-db'], opened: Date.UTC(2026, 10, 8, 23, 50), acked: Date.UTC(2026, 10, 8, 23, 52), resolved: Date.UTC(2026, 10, 9, 0, 30), m: { ttd: 4000, tta: 120_000, ttr: 2_400_000 } });
    await incident('before', { title: 'web: slow', severity: 'warning', root: 'web', systems: ['web'], opened: Date.UTC(2026, 9, 31, 8), m: {} });
    await incident('after', { title: 'web: down', severity: 'critical', root: 'web', systems: ['web'], opened: END, resolved: END + H, m: { tta: 1, ttr: 1 } });

    // Failovers: leader changes and VIP moves in the week, one in a drill, one after the week, and an event that is no failover.
    await event(Date.UTC(2026, 10, 3, 3, 12, 7), 'orders-db', 'leader_changed');
    await event(Date.UTC(2026, 10, 7, 18), 'orders-db', 'leader_changed');
    await event(Date.UTC(2026, 10, 6, 9), 'edge-vip', 'vip_moved');
    await event(Date.UTC(2026, 10, 4, 10, 0, 5), 'ledger-db', 'leader_changed', true);
    await event(END, 'orders-db', 'leader_changed');
    await event(Date.UTC(2026, 10, 3, 3, 12), 'orders-db', 'member_down');

    // Targets and their raw results: one flapping a lot, one down for a stretch, one steady.
    await ds.query(
      `insert into targets (key, name, system, member, kind, is_endpoint, interval_ms, timeout_ms) values
        ('homepage', 'homepage', null, null, 'http', false, 600000, 3000),
        ('sessions/@endpoint', 'sessions', 'sessions', null, 'tcp', true, 600000, 3000),
        ('orders-db/pg1', 'pg1', 'orders-db', 'pg1', 'postgres', false, 600000, 3000),
        ('steady', 'steady', null, null, 'tcp', false, 600000, 3000)`,
    );
    await results('homepage', START, END, (i) => i === 10 || i === 20 || i === 30); // 6 flips, 3 failures
    await results('sessions/@endpoint', START, END, (i) => (i >= 100 && i <= 102) || i === 500); // 4 flips, 4 failures
    await results('orders-db/pg1', START, END, (i) => i >= 200 && i <= 210); // 2 flips, 11 failures
    await results('steady', START, END, () => false);
    // The tick before the week failed: the week's first result must not count as a flip.
    await results('homepage', START - 10 * MIN, START, () => true);

    // An SLO's target probed once a minute for 40 days: 10 bad minutes the week before, 30 this week, 5 after it.
    const [{ id: api }] = await ds.query(
      `insert into targets (key, name, system, member, kind, is_endpoint, interval_ms, timeout_ms) values ('api', 'api', null, null, 'http', false, 60000, 3000) returning id`,
    );
    const bad: [number, number][] = [
      [Date.UTC(2026, 9, 28, 12), 10],
      [Date.UTC(2026, 10, 3, 3), 30],
      [END + H, 5],
    ];
    await ds.query(
      `insert into probe_rollup_minute (target_id, minute, total, successes, latency_sum_ms, latency_max_ms)
       select $1, t, 1, case when ${bad.map((_, i) => `(t >= $${4 + 2 * i}::timestamptz and t < $${4 + 2 * i}::timestamptz + make_interval(mins => $${5 + 2 * i}))`).join(' or ')} then 0 else 1 end, 2, 2
         from generate_series($2::timestamptz, $3::timestamptz, interval '1 minute') t`,
      [api, iso(END - 40 * D), iso(END + 2 * H), ...bad.flatMap(([t, n]) => [iso(t), n])],
    );
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const reporter = () => new WeeklyReporter(ds, undefined, new ManualClock(Date.UTC(2026, 10, 9, 9)));

  it('the incidents opened in the week with their measurements, MTTA and MTTR without the drill', async () => {
    const r = await reporter().build('2026-W45', OPTIONS);
    assert.equal(r.start, START);
    assert.equal(r.end, END);
    assert.deepEqual(r.incidents.map((i) => i.id), [ids.A, ids.B, ids.C, ids.D]);
    const a = r.incidents[0];
    assert.deepEqual(
      { ttd: a.ttdMs, rto: a.rtoMs, rpoS: a.rpoLagSeconds, rpoB: a.rpoLagBytes, lsn: a.rpoLsnDiffBytes, tta: a.ttaMs, ttr: a.ttrMs, by: a.acknowledgedBy, failovers: a.failovers, systems: a.systems },
      { ttd: 3000, rto: 95_000, rpoS: 0.8, rpoB: 4096, lsn: 12_288, tta: 240_000, ttr: 783_000, by: 'alice', failovers: 1, systems: ['orders-db', 'web'] },
    );
    assert.equal(r.incidents[3].state, 'open', 'D was resolved only after the week ended');
    assert.equal(r.summary.incidents, 3);
    assert.equal(r.summary.drills, 1);
    assert.deepEqual(r.summary.bySeverity, { critical: 2, warning: 1 });
    assert.equal(r.summary.mttaMs, (240_000 + 120_000) / 2);
    assert.equal(r.summary.mttaCount, 2);
    assert.equal(r.summary.mttrMs, (783_000 + 1_202_000 + 2_400_000) / 3);
    assert.equal(r.summary.mttrCount, 3);
    assert.equal(r.openAtEnd, 2, '"before" (never resolved) and D (resolved after the week)');
  });

  it('failovers per system, drills apart, only within the week', async () => {
    const r = await reporter().build('2026-W45', OPTIONS);
    assert.deepEqual(r.failovers, [
      { system: 'orders-db', failovers: 2, drills: 0 },
      { system: 'edge-vip', failovers: 1, drills: 0 },
      { system: 'ledger-db', failovers: 0, drills: 1 },
    ]);
    assert.equal(r.summary.failovers, 3);
    assert.equal(r.summary.failoverDrills, 1);
  });

  it('the flappiest targets from the raw results: flips within the week, steady ones left out', async () => {
    const r = await reporter().build('2026-W45', OPTIONS);
    assert.deepEqual(r.flappy, [
      { target: 'homepage', system: undefined, member: undefined, flips: 6, results: 1008, failures: 3 },
      { target: 'sessions/@endpoint', system: 'sessions', member: undefined, flips: 4, results: 1008, failures: 4 },
      { target: 'orders-db/pg1', system: 'orders-db', member: 'pg1', flips: 2, results: 1008, failures: 11 },
    ]);
    assert.equal(r.rawMissing, false);
    assert.equal(r.rawCoverageFrom, undefined);
  });

  it('a week older than the raw results says so instead of showing no flapping', async () => {
    const r = await reporter().build('2026-W40', OPTIONS);
    assert.equal(r.rawMissing, true);
    assert.deepEqual(r.flappy, []);
    assert.match((await reporter().text('2026-W40', OPTIONS)), /Raw probe results for this week are no longer kept/);
  });

  it('the text part carries the same numbers', async () => {
    const text = await reporter().text('2026-W45', OPTIONS);
    assert.match(text, /Mon 2 Nov – Sun 8 Nov 2026 \(times in UTC\)/);
    assert.match(text, /Incidents: +3 \(2 critical, 1 warning\) \+ 1 drill/);
    assert.match(text, /Open at week end: 2/);
    assert.match(text, /MTTA: +3m 00s \(2 acked\)/);
    assert.match(text, /MTTR: +24m 22s \(3 resolved\)/);
    assert.match(text, /Failovers: +3 \+ 1 in drills/);
    assert.match(text, new RegExp(`#${ids.A} orders-db: primary pg1 lost, pg2 promoted \\[critical\\]`));
    assert.match(text, /TTD 3s \| RTO 1m 35s \| RPO 800ms \/ 12 KiB \| TTA 4m 00s \| TTR 13m 03s/);
    assert.match(text, /homepage +6 +3 of 1008/);
    assert.match(text, new RegExp(`https://nines.example.com/incidents/${ids.A}`));
  });

  it('a week in UTC+9 starts nine hours earlier: incident A (Tue 03:12 UTC) is still in Tokyo’s W45, the lag at Sun 23:50 UTC is in W46 there', async () => {
    const r = await reporter().build('2026-W45', { timezone: 'Asia/Tokyo' });
    assert.equal(r.start, START - 9 * H);
    assert.deepEqual(r.incidents.map((i) => i.id), [ids.A, ids.B, ids.C]);
  });

  it('SLO figures through the SLO engine over the rollups: availability, budget and its trend, burn-rate peaks, the budget line', async () => {
    const data = new SloDataRepository(ds);
    const def = toDefinition(
      { name: 'api-availability', selector: { target: 'api' }, sli: { kind: 'availability' }, objective: 99.9, window: '30d', timezone: 'UTC', exclude: { drills: true, maintenance: true, silenced: false } },
      'config',
    );
    const slos = new EngineSloSource({ definitions: () => [def], registry: () => data.registry(), exclusionInputs: (from, to) => data.exclusionInputs(from, to, new Map()) }, new RollupRepository(ds));
    const r = await new WeeklyReporter(ds, slos, new ManualClock(END + 9 * H)).build('2026-W45', OPTIONS);
    assert.equal(r.slos.length, 1);
    const s = r.slos[0];
    const near = (a: number | undefined, b: number, what: string) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);
    near(s.weekAvailability, 1 - 30 / 10_080, 'this week');
    near(s.availability, 1 - 40 / 43_200, 'the 30 days ending with the week');
    near(s.budgetRemaining, 1 - 40 / 43.2, 'budget left');
    near(s.budgetConsumed, 40 / 43.2, 'budget consumed');
    near(s.previousBudgetRemaining, 1 - 10 / 43.2, 'budget left a week earlier');
    near(s.trend, -30 / 43.2, 'trend');
    assert.equal(s.met, true);
    assert.equal(s.exhausted, false);
    assert.deepEqual(
      s.burnRatePeaks.map((b) => [b.window, Math.round(b.peak * 1000) / 1000, iso(b.at!)]),
      [
        ['1h', 500, '2026-11-03T03:00:00.000Z'],
        ['6h', 83.333, '2026-11-02T22:00:00.000Z'],
      ],
    );
    assert.equal(s.budgetSeries.length, 31);
    near(s.budgetSeries[30].remaining, 1 - 40 / 43.2, 'last point of the line');
    const text = await new WeeklyReporter(ds, slos, new ManualClock(END + 9 * H)).text('2026-W45', OPTIONS);
    assert.match(text, /api-availability \[met, budget low\]/);
    assert.match(text, /This week: +99\.702% \(2\.53 nines\)/);
    assert.match(text, /Budget remaining: +7\.4% \(−69\.4 pp vs last week\)/);
    assert.match(text, /Burn-rate peaks: +1h: 500× \(Tue 3 Nov 03:00–04:00\); 6h: 83\.3× \(Mon 2 Nov 22:00 – Tue 3 Nov 04:00\)/);
  });

  it('a malformed week is a 400-class error, not a query', async () => {
    await assert.rejects(reporter().build('2026-45', OPTIONS), (e: unknown) => e instanceof DomainError && e.code === 'bad_request');
  });

  it('sent once: of many concurrent senders (three processes’ worth) exactly one writes the outbox row', async () => {
    const pools = [ds, createDataSource(db.url, { poolSize: 3 }), createDataSource(db.url, { poolSize: 3 })];
    await Promise.all(pools.slice(1).map((p) => p.initialize()));
    // The report is built inside the claiming transaction, on one connection: it must not give that
    // connection several queries at once (pg warns, and pg 9 refuses).
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 9 }, (_, i) => new WeeklyReporter(pools[i % 3], undefined, new ManualClock(Date.UTC(2026, 10, 9, 9))).sendOnce('2026-W45', OPTIONS, { createdBy: `worker-${i % 3}`, scheduledFor: Date.UTC(2026, 10, 9, 9) })),
      );
      assert.equal(outcomes.filter((o) => o.sent).length, 1, JSON.stringify(outcomes));
      const rows = await ds.query(`select id, receiver, channel, kind, state, payload from notifications`);
      assert.equal(rows.length, 1);
      const n = rows[0];
      assert.deepEqual([n.id, n.receiver, n.channel, n.kind, n.state], ['report-weekly-2026-W45-email', WEEKLY_REPORT_RECEIVER, 'email', 'report', 'pending']);
      assert.match(n.payload.report.subject, /Weekly SLO report 2026-W45/);
      assert.match(n.payload.report.text, /MTTR: +24m 22s/);
      assert.match(n.payload.report.html, /<!doctype html>/);
      const [ledger] = await ds.query(`select kind, period, period_start, period_end, scheduled_for, created_by, notification_ids from reports`);
      assert.deepEqual(
        { ...ledger, period_start: iso(ledger.period_start), period_end: iso(ledger.period_end), scheduled_for: iso(ledger.scheduled_for), created_by: /^worker-[012]$/.test(ledger.created_by) },
        { kind: 'weekly', period: '2026-W45', period_start: iso(START), period_end: iso(END), scheduled_for: '2026-11-09T09:00:00.000Z', created_by: true, notification_ids: ['report-weekly-2026-W45-email'] },
      );
      // Later attempts find the ledger row and say who sent it.
      const again = await reporter().sendOnce('2026-W45', OPTIONS, { createdBy: 'cli' });
      assert.equal(again.sent, false);
      if (!again.sent) assert.match(again.existing.createdBy, /^worker-/);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((w) => /already executing a query/.test(w)), []);
    } finally {
      process.off('warning', onWarning);
      await Promise.all(pools.slice(1).map((p) => p.destroy()));
    }
  });

  it('a build that fails leaves no claim behind, so the period is tried again', async () => {
    const broken = new WeeklyReporter(ds, { forWeek: async () => Promise.reject(new Error('rollups unavailable')) }, new ManualClock(0));
    await assert.rejects(broken.sendOnce('2026-W44', OPTIONS, { createdBy: 'test' }), /rollups unavailable/);
    assert.deepEqual(await ds.query(`select period from reports where period = '2026-W44'`), []);
    const ok = await reporter().sendOnce('2026-W44', OPTIONS, { createdBy: 'test' });
    assert.equal(ok.sent, true);
  });
});
