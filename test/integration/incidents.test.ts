import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../libs/common/src/errors';
import type { SystemGraph } from '../../libs/incidents/src/correlate';
import { DrillRepository } from '../../libs/incidents/src/drill.repository';
import { IncidentQuery } from '../../libs/incidents/src/incident.query';
import { IncidentRepository } from '../../libs/incidents/src/incident.repository';
import type { Observation } from '../../libs/probes/src/observation';
import type { TargetStatus } from '../../libs/probes/src/target-state';
import type { TopologyEvent } from '../../libs/topology/src/events';
import { emptyTopology, isHealthy, observe, type SystemShape, type SystemTopology } from '../../libs/topology/src/topology';
import { TopologyRepository } from '../../libs/topology/src/topology.repository';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { freshDatabase } from '../support/env';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0); // the PostgreSQL failover
const T1 = T0 + 3_600_000; // the drill
const T2 = T0 + 7_200_000; // the flapping endpoint

const pgShape = (name: string, members: string[]): SystemShape => ({ name, kind: 'postgres', expect: { primaries: 1, minReplicas: 1 }, members, hasEndpoint: false });
const SHAPES = new Map<string, SystemShape>([
  ['orders-db', pgShape('orders-db', ['pg1', 'pg2'])],
  ['web', { name: 'web', kind: 'http', expect: {}, members: [], hasEndpoint: true }],
  ['ledger-db', pgShape('ledger-db', ['l1', 'l2'])],
  ['sessions', { name: 'sessions', kind: 'tcp', expect: {}, members: [], hasEndpoint: true }],
]);
const GRAPH: SystemGraph = {
  dependsOn: new Map([['web', ['orders-db']], ['orders-db', []], ['ledger-db', []], ['sessions', []]]),
  layer: new Map([['web', 'service'], ['orders-db', 'storage'], ['ledger-db', 'storage'], ['sessions', 'cache']]),
};
const INTERVALS = new Map([
  ['orders-db/pg1', 1000],
  ['orders-db/pg2', 1000],
  ['web/@endpoint', 1500],
  ['ledger-db/l1', 1000],
  ['ledger-db/l2', 1000],
  ['sessions/@endpoint', 1000],
]);
// As TopologyService looks intervals up: a member's target, else the system's endpoint.
const intervalMs = (s: string, m?: string) => INTERVALS.get(m ? `${s}/${m}` : `${s}/@endpoint`) ?? INTERVALS.get(`${s}/@endpoint`);

const primary = (lsn: string, timeline: number): Observation => ({ up: true, role: 'primary', epoch: `timeline ${timeline}`, peers: [], details: { current_lsn: lsn, timeline } });
const replica = (lsn: string, timeline: number, upstream: string, lagSeconds: number, lagBytes: number): Observation => ({
  up: true,
  role: 'replica',
  epoch: `timeline ${timeline}`,
  leader: upstream,
  lagSeconds,
  lagBytes,
  details: { receive_lsn: lsn, wal_receiver: 'streaming', timeline },
});
const refused: Observation = { up: false, reason: 'connection refused' };
const answers: Observation = { up: true, httpStatus: 200 };

/**
 * Does what TopologyService.fold does for each observation — observe, judge health, commit with
 * the version last seen — minus the skipping of quiet observations, so every step is stored.
 */
class Feed {
  private state = new Map<string, { t: SystemTopology; version: number; healthy: boolean }>();
  constructor(private readonly repo: IncidentRepository) {}

  async see(system: string, member: string | undefined, at: number, obs: Observation, status: TargetStatus, firstFailureAt?: number): Promise<TopologyEvent[]> {
    const shape = SHAPES.get(system)!;
    let s = this.state.get(system);
    if (!s) this.state.set(system, (s = { t: emptyTopology(system, at), version: 0, healthy: true }));
    const { next, events } = observe(s.t, shape, {
      member,
      probeKind: shape.kind,
      intervalMs: intervalMs(system, member)!,
      result: { targetKey: `${system}/${member ?? '@endpoint'}`, scheduledAt: at, startedAt: at + 1, durationMs: 3, ...obs },
      status,
      firstFailureAt,
    });
    const healthy = isHealthy(next, shape);
    const r = await this.repo.commit({
      system,
      expectedVersion: s.version,
      topology: next,
      healthy,
      wasHealthy: s.healthy,
      events,
      graph: GRAPH,
      hasEndpoint: (x) => SHAPES.get(x)?.hasEndpoint ?? false,
      intervalMs,
    });
    assert.equal(r.ok, true, `commit of ${system} at +${at - T0}ms`);
    s.t = next;
    s.version = r.version;
    s.healthy = healthy;
    return events;
  }
}

describe('incidents in PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let sql: Client;
  let repo: IncidentRepository;
  let topologies: TopologyRepository;
  let query: IncidentQuery;
  let drills: DrillRepository;
  let feed: Feed;
  let incidentId: number;

  const rows = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await sql.query(text, params)).rows as T[];

  before(async () => {
    db = await freshDatabase('incidents');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await migrate(ds);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    topologies = new TopologyRepository(ds);
    repo = new IncidentRepository(ds, topologies);
    query = new IncidentQuery(ds);
    drills = new DrillRepository(ds);
    feed = new Feed(repo);
    await sql.query(`insert into systems (name, layer, kind, depends_on) values ('orders-db', 'storage', 'postgres', '{}'), ('web', 'service', 'http', '{orders-db}'), ('ledger-db', 'storage', 'postgres', '{}')`);
  });

  after(async () => {
    await sql?.end();
    await ds?.destroy();
    await db?.drop();
  });

  describe('a PostgreSQL failover with a dependent web endpoint failing in between', () => {
    before(async () => {
      const f = (...a: Parameters<Feed['see']>) => feed.see(...a);
      await f('orders-db', 'pg1', T0, primary('0/5000100', 1), 'up');
      await f('web', undefined, T0 + 200, answers, 'up');
      await f('orders-db', 'pg2', T0 + 500, replica('0/5000000', 1, '10.0.0.1:5432', 0.2, 256), 'up');
      await f('orders-db', 'pg1', T0 + 1000, refused, 'up'); // first failure, below the threshold of 2
      await f('orders-db', 'pg2', T0 + 1500, replica('0/5000060', 1, '10.0.0.1:5432', 0.4, 160), 'up');
      await f('web', undefined, T0 + 1700, answers, 'up');
      await f('orders-db', 'pg1', T0 + 2000, refused, 'down', T0 + 1000); // detected: the incident opens
      await f('web', undefined, T0 + 3200, refused, 'down', T0 + 3200); // the dependant fails
      const [open] = await query.list({ state: 'open', limit: 10 });
      incidentId = open.id;
      assert.equal(await repo.acknowledge(incidentId, 'alice', T0 + 4000, intervalMs), 'acknowledged');
      await f('orders-db', 'pg2', T0 + 4500, primary('0/5000300', 2), 'up'); // promoted
      await f('web', undefined, T0 + 4700, refused, 'down', T0 + 3200);
      await f('web', undefined, T0 + 6200, answers, 'up');
      await f('orders-db', 'pg1', T0 + 8000, replica('0/5000300', 2, '10.0.0.2:5432', 0, 0), 'up'); // the old primary rejoins
    });

    it('is exactly one incident, rooted in orders-db, with web as impact, resolved when both are healthy', async () => {
      const all = await query.list({ limit: 100 });
      assert.equal(all.length, 1);
      const inc = all[0];
      assert.equal(inc.id, incidentId);
      assert.equal(inc.state, 'resolved');
      assert.equal(inc.severity, 'critical');
      assert.equal(inc.root_system, 'orders-db');
      assert.deepEqual(inc.systems, ['orders-db', 'web']);
      assert.equal(inc.failovers, 1);
      assert.equal(inc.drill, false);
      assert.equal(inc.title, 'orders-db: primary pg1 unreachable (connection refused)');
      assert.equal(inc.opened_at.getTime(), T0 + 2000);
      assert.equal(inc.first_failure_at?.getTime(), T0 + 1000);
      assert.equal(inc.detected_at?.getTime(), T0 + 2000);
      assert.equal(inc.acknowledged_at?.getTime(), T0 + 4000);
      assert.equal(inc.acknowledged_by, 'alice');
      assert.equal(inc.resolved_at?.getTime(), T0 + 8000);
    });

    it("every event is recorded with the incident; web's joined as impact", async () => {
      const ev = await rows<{ at: Date; system: string; member: string | null; kind: string; incident_id: string | null; drill: boolean }>(
        'select at, system, member, kind, incident_id, drill from events order by id',
      );
      assert.deepEqual(
        ev.map((e) => [e.at.getTime() - T0, e.system, e.member, e.kind]),
        [
          [2000, 'orders-db', 'pg1', 'member_down'],
          [2000, 'orders-db', null, 'no_primary'],
          [3200, 'web', null, 'service_down'],
          [4500, 'orders-db', 'pg2', 'role_changed'],
          [4500, 'orders-db', 'pg2', 'promoted'],
          [4500, 'orders-db', 'pg2', 'epoch_changed'],
          [4500, 'orders-db', 'pg2', 'leader_changed'],
          [4500, 'orders-db', null, 'primary_restored'],
          [4500, 'orders-db', null, 'topology_degraded'],
          [6200, 'web', null, 'service_restored'],
          [8000, 'orders-db', 'pg1', 'member_up'],
          [8000, 'orders-db', 'pg1', 'rejoined'],
          [8000, 'orders-db', null, 'topology_restored'],
        ],
      );
      for (const e of ev) {
        assert.equal(Number(e.incident_id), incidentId, `${e.kind} belongs to the incident`);
        assert.equal(e.drill, false);
      }
      const impact = await rows<{ at: Date; message: string; details: unknown }>(`select at, message, details from incident_timeline where incident_id = $1 and kind = 'impact'`, [incidentId]);
      assert.deepEqual(impact.map((r) => [r.at.getTime() - T0, r.message, r.details]), [[3200, 'impact on web: web: unreachable for users (connection refused)', { event: 'service_down' }]]);
    });

    it('the timeline is in order with every milestone, each once', async () => {
      const t = await repo.timeline(incidentId);
      assert.deepEqual(
        t.map((e) => [e.at - T0, e.kind, e.system ?? null, e.member ?? null]),
        [
          [1000, 'first_failure_observed', 'orders-db', 'pg1'],
          [1000, 'failover_started', 'orders-db', 'pg1'],
          [2000, 'detected', 'orders-db', 'pg1'],
          [2000, 'member_down', 'orders-db', 'pg1'],
          [2000, 'no_primary', 'orders-db', null],
          [3200, 'impact', 'web', null],
          [3200, 'service_down', 'web', null],
          [4000, 'acknowledged', null, null],
          [4500, 'role_changed', 'orders-db', 'pg2'],
          [4500, 'promoted', 'orders-db', 'pg2'],
          [4500, 'epoch_changed', 'orders-db', 'pg2'],
          [4500, 'leader_changed', 'orders-db', 'pg2'],
          [4500, 'new_primary_elected', 'orders-db', 'pg2'],
          [4500, 'primary_restored', 'orders-db', null],
          [4500, 'service_restored', 'orders-db', null],
          [4500, 'topology_degraded', 'orders-db', null],
          [6200, 'service_restored', 'web', null],
          [8000, 'member_up', 'orders-db', 'pg1'],
          [8000, 'rejoined', 'orders-db', 'pg1'],
          [8000, 'old_primary_rejoined', 'orders-db', 'pg1'],
          [8000, 'topology_restored', 'orders-db', null],
          [8000, 'resolved', 'orders-db', null],
        ],
      );
      const elected = t.find((e) => e.kind === 'new_primary_elected')!;
      assert.deepEqual(elected.details, { to: 'pg2', from: 'pg1', source: 'leader_changed' });
    });

    it('the measurements are the hand-computed ones', async () => {
      const inc = (await query.get(incidentId))!;
      const m = inc.measurements as Record<string, Record<string, unknown>>;
      // detected at +2s, first failure at +1s, pg1 probed every 1s
      assert.deepEqual(m.time_to_detect, { value_ms: 1000, measured: 'first failed observation → failure threshold reached', uncertainty_ms: 1000 });
      // orders-db has no endpoint: users reach web, down from +3.2s to +6.2s, probed every 1.5s
      assert.deepEqual(m.rto, { value_ms: 3000, measured: 'first failed probe of the user-facing endpoint → first successful one', uncertainty_ms: 1500 });
      // pg1's first failure at +1s → pg2 seen serving at +4.5s, pg2 probed every 1s
      assert.deepEqual(m.failover_duration, { value_ms: 3500, measured: 'first failed probe of the old primary → first observation of the new primary serving', uncertainty_ms: 1000 });
      // pg2 last seen as a replica at +1.5s: 0.4s / 160 bytes behind; 0/5000100 − 0/5000060 = 0xA0 = 160
      assert.deepEqual(m.rpo, {
        lag_seconds: 0.4,
        lag_bytes: 160,
        lsn_diff_bytes: 160,
        measured:
          "the promoted node's last observed replication lag before the failure; lsn_diff_bytes = old primary last observed LSN − promoted node last received LSN (an upper bound on writes lost, observed up to one interval before the failure)",
      });
      assert.deepEqual(m.time_to_acknowledge, { value_ms: 2000, measured: 'opened → acknowledged' });
      assert.deepEqual(m.time_to_resolve, { value_ms: 7000, measured: 'first failed observation → resolved (all systems healthy)', uncertainty_ms: 1000 });
    });

    it('the Grafana views expose the incident, its timeline and the failover', async () => {
      const [v] = await rows(`select * from nines_incidents where id = $1`, [incidentId]);
      assert.equal(v.time_to_detect_seconds, 1);
      assert.equal(v.rto_seconds, 3);
      assert.equal(v.failover_seconds, 3.5);
      assert.equal(v.rpo_lag_seconds, 0.4);
      assert.equal(v.rpo_lag_bytes, 160);
      assert.equal(v.rpo_lsn_diff_bytes, 160);
      assert.equal(v.time_to_acknowledge_seconds, 2);
      assert.equal(v.time_to_resolve_seconds, 7);
      assert.equal(v.state, 'resolved');

      const tl = await rows<{ kind: string; incident_title: string; drill: boolean; severity: string }>(`select kind, incident_title, drill, severity from nines_incident_timeline where incident_id = $1 order by at, kind`, [incidentId]);
      assert.equal(tl.length, 22);
      assert.ok(tl.every((r) => r.incident_title === 'orders-db: primary pg1 unreachable (connection refused)' && r.drill === false && r.severity === 'critical'));

      const fo = await rows<{ at: Date; system: string; member: string; kind: string; incident_id: string; drill: boolean }>(`select * from nines_failovers where system = 'orders-db'`);
      assert.deepEqual(fo.map((r) => [r.at.getTime() - T0, r.member, r.kind, Number(r.incident_id), r.drill]), [[4500, 'pg2', 'leader_changed', incidentId, false]]);
    });

    it('a second acknowledgement is "already" and changes nothing; an unknown incident is "missing"', async () => {
      assert.equal(await repo.acknowledge(incidentId, 'bob', T0 + 9000, intervalMs), 'already');
      const inc = (await query.get(incidentId))!;
      assert.equal(inc.acknowledged_by, 'alice');
      assert.equal(inc.acknowledged_at?.getTime(), T0 + 4000);
      assert.equal((await repo.timeline(incidentId)).filter((e) => e.kind === 'acknowledged').length, 1);
      assert.equal(await repo.acknowledge(999_999, 'bob', T0 + 9000, intervalMs), 'missing');
    });

    it('the timeline is append-only: UPDATE and DELETE are rejected', async () => {
      const before = await rows('select * from incident_timeline order by id');
      await assert.rejects(sql.query(`update incident_timeline set message = 'rewritten' where incident_id = $1`, [incidentId]), /incident_timeline is append-only/);
      await assert.rejects(sql.query(`delete from incident_timeline where incident_id = $1`, [incidentId]), /incident_timeline is append-only/);
      assert.deepEqual(await rows('select * from incident_timeline order by id'), before);
    });
  });

  describe('compare-and-set on the topology version', () => {
    it('a commit with a stale version returns ok:false and writes nothing', async () => {
      const stored = await topologies.load('orders-db');
      assert.ok(stored.topology);
      const counts = async () => (await rows<{ e: string; i: string; t: string }>('select (select count(*) from events) e, (select count(*) from incidents) i, (select count(*) from incident_timeline) t'))[0];
      const before = await counts();
      const stale = stored.topology.updatedAt + 10_000;
      const bad: TopologyEvent = { kind: 'member_down', system: 'orders-db', member: 'pg2', at: stale, severity: 'critical', bad: true, message: 'orders-db: primary pg2 unreachable', details: { role: 'primary' } };
      const r = await repo.commit({
        system: 'orders-db',
        expectedVersion: stored.version - 1,
        topology: { ...stored.topology, updatedAt: stale, primaries: [] },
        healthy: false,
        wasHealthy: true,
        events: [bad],
        graph: GRAPH,
        hasEndpoint: () => false,
        intervalMs,
      });
      assert.deepEqual(r, { ok: false, version: stored.version - 1, incidents: [] });
      const after = await topologies.load('orders-db');
      assert.equal(after.version, stored.version);
      assert.equal(after.healthy, true);
      assert.deepEqual(after.topology, stored.topology);
      assert.deepEqual(await counts(), before);
    });

    it('of two writers that read the same version, the second loses', async () => {
      const stored = await topologies.load('web');
      const input = { system: 'web', expectedVersion: stored.version, topology: stored.topology!, healthy: true, wasHealthy: true, events: [], graph: GRAPH, hasEndpoint: () => true, intervalMs };
      const first = await repo.commit(input);
      const second = await repo.commit(input);
      assert.deepEqual([first.ok, first.version], [true, stored.version + 1]);
      assert.deepEqual([second.ok, second.version], [false, stored.version]);
      assert.equal((await topologies.load('web')).version, stored.version + 1);
    });
  });

  describe('a failover during a drill', () => {
    let drillIncident: number;

    before(async () => {
      await assert.rejects(drills.start('no-such-db', 'bob'), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
      const d = await drills.start('ledger-db', 'bob', 'quarterly switchover');
      assert.equal(d.system, 'ledger-db');
      assert.equal(d.ended_at, null);
      await assert.rejects(drills.start('ledger-db', 'carol'), (e: unknown) => e instanceof DomainError && e.code === 'conflict');

      const f = (...a: Parameters<Feed['see']>) => feed.see(...a);
      await f('ledger-db', 'l1', T1, primary('0/9000000', 4), 'up');
      await f('ledger-db', 'l2', T1 + 500, replica('0/9000000', 4, '10.0.1.1:5432', 0, 0), 'up');
      await f('ledger-db', 'l1', T1 + 2000, refused, 'down', T1 + 2000);
      await f('ledger-db', 'l2', T1 + 3000, primary('0/9000100', 5), 'up');
      await f('ledger-db', 'l1', T1 + 6000, replica('0/9000100', 5, '10.0.1.2:5432', 0, 0), 'up');
      drillIncident = (await query.list({ system: 'ledger-db', limit: 10 }))[0].id;
    });

    it('marks the incident and its events as drill, and it resolves like any other', async () => {
      const inc = (await query.get(drillIncident))!;
      assert.equal(inc.drill, true);
      assert.equal(inc.state, 'resolved');
      assert.equal(inc.failovers, 1);
      assert.deepEqual(inc.systems, ['ledger-db']);
      assert.equal((inc.measurements as { failover_duration: { value_ms: number } }).failover_duration.value_ms, 1000);
      const ev = await rows<{ drill: boolean }>(`select drill from events where system = 'ledger-db'`);
      assert.ok(ev.length > 0 && ev.every((e) => e.drill));
    });

    it('nines_failovers shows the drill failover with drill = true; the failover counter leaves it out', async () => {
      const fo = await rows<{ member: string; drill: boolean; incident_id: string }>(`select member, drill, incident_id from nines_failovers where system = 'ledger-db'`);
      assert.deepEqual(fo.map((r) => [r.member, r.drill, Number(r.incident_id)]), [['l2', true, drillIncident]]);
      const [tl] = await rows<{ n: string }>(`select count(*) n from nines_incident_timeline where incident_id = $1 and not drill`, [drillIncident]);
      assert.equal(Number(tl.n), 0);
      assert.deepEqual(await query.failoversBySystem(), [{ system: 'orders-db', n: 1 }]);
    });

    it('stopping the drill ends it; a second stop is not_found', async () => {
      const stopped = await drills.stop('ledger-db');
      assert.equal(stopped.system, 'ledger-db');
      assert.ok(stopped.ended_at instanceof Date);
      await assert.rejects(drills.stop('ledger-db'), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
      assert.equal((await drills.list()).length, 1);
    });
  });

  describe('a flapping endpoint', () => {
    it('reopens its incident when it fails again within five minutes, and resolves it again', async () => {
      const f = (...a: Parameters<Feed['see']>) => feed.see(...a);
      await f('sessions', undefined, T2, answers, 'up');
      await f('sessions', undefined, T2 + 1000, refused, 'down', T2 + 1000);
      await f('sessions', undefined, T2 + 3000, answers, 'up');
      const [first] = await query.list({ system: 'sessions', limit: 10 });
      assert.equal(first.state, 'resolved');
      assert.equal(first.resolved_at?.getTime(), T2 + 3000);

      await f('sessions', undefined, T2 + 60_000, refused, 'down', T2 + 60_000);
      const again = await query.list({ system: 'sessions', limit: 10 });
      assert.equal(again.length, 1);
      assert.equal(again[0].id, first.id);
      assert.equal(again[0].state, 'open');
      assert.equal(again[0].resolved_at, null);

      await f('sessions', undefined, T2 + 62_000, answers, 'up');
      const done = (await query.get(first.id))!;
      assert.equal(done.state, 'resolved');
      assert.equal(done.resolved_at?.getTime(), T2 + 62_000);
      const t = await repo.timeline(first.id);
      assert.deepEqual(
        t.map((e) => [e.at - T2, e.kind]),
        [
          [1000, 'first_failure_observed'],
          [1000, 'detected'],
          [1000, 'service_down'],
          [3000, 'service_restored'],
          [3000, 'service_restored'],
          [3000, 'resolved'],
          [60_000, 'reopened'],
          [60_000, 'service_down'],
          [62_000, 'service_restored'],
          [62_000, 'resolved'],
        ],
      );
      // TTR counts from the first failure of the story, across the flap.
      assert.deepEqual((done.measurements as { time_to_resolve: unknown }).time_to_resolve, { value_ms: 61_000, measured: 'first failed observation → resolved (all systems healthy)', uncertainty_ms: 1000 });
    });
  });
});
