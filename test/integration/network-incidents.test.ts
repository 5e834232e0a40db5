import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { NetworkIncidentRepository, reconcileOutsideSplits } from '../../libs/incidents/src/network-incident.repository';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { freshDatabase } from '../support/env';

const T0 = Date.UTC(2026, 11, 7, 3, 0, 0);
const cut = (location: string, n = 3) => ({ location, unreachable: ['a', 'b', 'c'].slice(0, n), message: `${location} cannot reach ${n} of its 3 targets that other locations reach: a, b, c` });

/** Partitions as incidents (issue 17): one per cut location, kept across ticks and replicas, resolved when healed. */
describe('network incidents', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let repo: NetworkIncidentRepository;

  before(async () => {
    db = await freshDatabase('network_incidents');
    ds = createDataSource(db.url);
    await ds.initialize();
    await migrate(ds);
    repo = new NetworkIncidentRepository(ds);
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('a cut opens one incident, however many lease holders see it at once and however long it lasts', async () => {
    const firsts = await Promise.all([repo.reconcile([cut('dc2')], T0), repo.reconcile([cut('dc2')], T0 + 5), new NetworkIncidentRepository(ds).reconcile([cut('dc2')], T0 + 9)]);
    const ids = new Set(firsts.map((r) => r.open.get('dc2')));
    assert.equal(ids.size, 1, 'the same incident for every caller');
    assert.deepEqual(firsts.flatMap((r) => r.touched).length, 1, 'opened once');
    const later = await repo.reconcile([cut('dc2')], T0 + 60_000);
    assert.deepEqual([later.touched, later.open.get('dc2')], [[], [...ids][0]]);
    const [inc] = await ds.query(`select state, severity, title, root_system, systems from incidents`);
    assert.deepEqual(inc, { state: 'open', severity: 'major', title: cut('dc2').message, root_system: 'location:dc2', systems: [] });
  });

  it('healed: resolved with its timeline; a later cut is a new incident; another location has its own', async () => {
    const healed = await repo.reconcile([], T0 + 120_000);
    assert.equal(healed.touched.length, 1);
    assert.equal(healed.open.size, 0);
    const again = await repo.reconcile([cut('dc2'), cut('dc3')], T0 + 200_000);
    assert.equal(again.touched.length, 2);
    const rows: { id: string; state: string; root_system: string }[] = await ds.query(`select id, state, root_system from incidents order by id`);
    assert.deepEqual(rows.map((r) => `${r.root_system}:${r.state}`), ['location:dc2:resolved', 'location:dc2:open', 'location:dc3:open']);
    const timeline: { kind: string; message: string; details: { unreachable?: string[] } }[] = await ds.query(`select kind, message, details from incident_timeline where incident_id = $1 order by id`, [rows[0].id]);
    assert.deepEqual(timeline.map((t) => t.kind), ['detected', 'resolved']);
    assert.deepEqual(timeline[0].details.unreachable, ['a', 'b', 'c']);
    assert.equal(timeline[1].message, 'resolved: dc2 reaches its targets again');
  });

  it('split brain seen from outside: one event when it starts, one when the locations agree again, on the open incident of the system', async () => {
    const split = { system: 'edge', holders: { lb1: ['dc1', 'dc3'], lb2: ['dc2'] }, message: 'split brain seen from outside on edge: dc1, dc3 see lb1; dc2 sees lb2' };
    const [inc] = await ds.query(`insert into incidents (state, severity, title, root_system, systems, opened_at) values ('open', 'critical', 'edge: lb1 down', 'edge', '{edge}', now()) returning id`);
    const first = await Promise.all([reconcileOutsideSplits(ds, [split], T0), reconcileOutsideSplits(ds, [split], T0 + 5)]);
    assert.deepEqual(first.flat(), ['edge'], 'recorded once');
    assert.deepEqual(await reconcileOutsideSplits(ds, [split], T0 + 60_000), []);
    assert.deepEqual(await reconcileOutsideSplits(ds, [], T0 + 120_000), ['edge']);
    assert.deepEqual(await reconcileOutsideSplits(ds, [], T0 + 180_000), []);
    const events: { kind: string; bad: boolean; message: string; incident_id: string; details: { holders?: Record<string, string[]> } }[] = await ds.query(`select kind, bad, message, incident_id, details from events where system = 'edge' order by id`);
    assert.deepEqual(events.map((e) => [e.kind, e.bad, Number(e.incident_id)]), [['split_brain_outside', true, Number(inc.id)], ['split_brain_outside_resolved', false, Number(inc.id)]]);
    assert.deepEqual(events[0].details.holders, split.holders);
    const tl: { kind: string }[] = await ds.query(`select kind from incident_timeline where incident_id = $1 order by id`, [inc.id]);
    assert.deepEqual(tl.map((t) => t.kind), ['split_brain_outside', 'split_brain_outside_resolved']);
  });
});
