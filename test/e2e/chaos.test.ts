import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeTimeline,
  entry,
  incident,
  incidents,
  kinds,
  labPostgresMembers,
  labRedisMember,
  labRedisSystem,
  listenForSwitchMaster,
  primaryOf,
  startNinesCase,
  startOrdersApi,
  startPgWriter,
  timeline,
  waitForIncident,
  waitHealthy,
  zkMode,
  type NinesCase,
  type TimelineEntry,
} from '../support/chaos';
import { LAB_ENV, LAB_PORTS, labBreak, labDown, labUp, type LabComponent } from '../support/lab';
import { sleep, waitFor } from '../support/wait';

/**
 * Chaos drills (issue 4): real servers from the test lab are broken while a real Nines process
 * watches them, and the incident Nines writes is checked against the times the lab itself
 * reported (`lab.sh break` prints the epoch ms it acted at). The lab uses fixed ports, so every
 * case lives in this one file and runs one after the other; each case starts its own Nines on its
 * own database and leaves the lab healthy for the next.
 */
const INTERVAL = 1000;
const TIMEOUT = 900;
const SLACK = 600; // the confirming re-probe (250ms), scheduling, commit and polling delays
/** How far a time Nines reports may be from the test's own: it looks once per interval. */
const TOL = INTERVAL + TIMEOUT + SLACK;
// Two failures in a row (the second probe follows the first at once): one slow answer from a
// busy CI machine is not a failover.
const DEFAULTS = `defaults: { interval: ${INTERVAL}ms, timeout: ${TIMEOUT}ms, failure_threshold: 2 }`;
// keepalived joins later: its notify hook needs the URL of the Nines that is running then.
const COMPONENTS: LabComponent[] = ['postgres', 'redis-sentinel', 'zookeeper', 'proxy'];

/** `at` lies within [lo - tol, hi + tol]; the message says by how much it missed. */
function assertNear(what: string, at: number | undefined, lo: number, hi: number, t?: TimelineEntry[], tol = TOL): void {
  assert.ok(at !== undefined, `${what}: missing${t ? `; timeline: ${describeTimeline(t)}` : ''}`);
  assert.ok(at >= lo - tol && at <= hi + tol, `${what}: ${at} is outside [${lo}, ${hi}] ± ${tol}ms (${at < lo ? lo - at : at - hi}ms off)`);
}

function assertOrdered(t: TimelineEntry[], order: string[]): void {
  const ats = order.map((k) => entry(t, k)?.at);
  order.forEach((k, i) => assert.ok(ats[i] !== undefined, `${k} missing from the timeline: ${describeTimeline(t)}`));
  for (let i = 1; i < order.length; i++) assert.ok(ats[i]! >= ats[i - 1]!, `${order[i]} (${ats[i]}) before ${order[i - 1]} (${ats[i - 1]}); timeline: ${describeTimeline(t)}`);
}

describe('chaos drills against the lab', () => {
  before(async () => {
    await labUp(COMPONENTS);
  });

  after(async () => {
    await labDown();
  });

  describe('1 + 5. PostgreSQL: kill -9 the primary, promote the replica, rejoin the old primary; a dependent service fails with it', () => {
    let c: NinesCase;
    let api: Awaited<ReturnType<typeof startOrdersApi>>;
    let incidentId = 0;
    const clock = { killed: 0, promoteStarted: 0, promoted: 0, rejoinStarted: 0, rejoined: 0 };
    let oldPrimary = '';
    let newPrimary = '';

    before(async () => {
      api = await startOrdersApi([LAB_PORTS.pg1, LAB_PORTS.pg2]);
      c = await startNinesCase('chaos_postgres', 'chaos', `${DEFAULTS}
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    expect: { primaries: 1, min_replicas: 1, max_lag: 30s }
    members:${labPostgresMembers()}
  - name: orders-api
    layer: service
    kind: http
    depends_on: [orders-db]
    endpoint:
      probe: { kind: http, url: "${api.url}", expect_status: [200] }
`);
      await waitHealthy(c, ['orders-db', 'orders-api']);
      oldPrimary = await waitFor('Nines names the primary', () => primaryOf(c, 'orders-db'));
    });

    after(async () => {
      await c?.stop();
      await api?.close();
      await labBreak('pg-heal');
    });

    it('one incident: detection, promotion, restore and rejoin, in that order, resolved once the old primary replicates', async () => {
      assert.deepEqual(await incidents(c), []);
      // Writes until the kill: the replica streams them, so what it lacks at promotion is measurable.
      const writer = await startPgWriter(oldPrimary === 'pg1' ? LAB_PORTS.pg1 : LAB_PORTS.pg2);
      await sleep(4 * INTERVAL);
      clock.killed = await labBreak('pg-kill-primary');
      await writer.stop();
      assert.ok(writer.rows() > 10, `${writer.rows()} rows written before the kill`);
      // Promote only once the dependent service has been seen failing too: with a fast failover and
      // failure_threshold 2 it could otherwise recover before it ever counts as down (case 5 needs it down).
      await waitForIncident(c, 'orders-db', 'failover_started and orders-api down', (t) =>
        kinds(t).includes('failover_started') && t.some((e) => e.kind === 'service_down' && e.system === 'orders-api'),
      );

      clock.promoteStarted = await labBreak('pg-promote-replica');
      clock.promoted = Date.now(); // lab.sh returns once the replica accepts writes
      newPrimary = oldPrimary === 'pg1' ? 'pg2' : 'pg1';
      await waitForIncident(c, 'orders-db', 'new primary and service restored', (t) => kinds(t).includes('new_primary_elected') && kinds(t).includes('service_restored'));

      clock.rejoinStarted = await labBreak('pg-rejoin-old-primary');
      clock.rejoined = Date.now();
      const { incident: inc, timeline: t } = await waitForIncident(c, 'orders-db', 'rejoined and resolved', (t, i) => kinds(t).includes('old_primary_rejoined') && i.state === 'resolved', 30_000);
      incidentId = inc.id;

      const all = await incidents(c);
      assert.equal(all.length, 1, `one incident, got: ${all.map((i) => `${i.id} ${i.title}`).join('; ')}`);
      assert.equal(inc.root_system, 'orders-db');
      assert.equal(inc.severity, 'critical');
      assert.equal(inc.drill, false);
      assert.equal(inc.failovers, 1);

      // failover_started is dated at the primary's first failed probe, detected once confirmed.
      assertOrdered(t, ['first_failure_observed', 'detected', 'new_primary_elected', 'old_primary_rejoined', 'resolved']);
      assertOrdered(t, ['first_failure_observed', 'failover_started', 'new_primary_elected']);
      assertOrdered(t, ['failover_started', 'service_restored', 'old_primary_rejoined']);
      const down = entry(t, 'member_down', (e) => e.member === oldPrimary);
      assert.equal(down?.details.role, 'primary', `member_down of ${oldPrimary} as primary: ${JSON.stringify(down)}`);
      assertNear('first failed observation of the primary', entry(t, 'first_failure_observed', (e) => e.system === 'orders-db')?.at ?? down?.details.first_failure_at, clock.killed, clock.killed, t);
      assertNear('detected', entry(t, 'detected')?.at, clock.killed, clock.killed, t);
      const elected = entry(t, 'new_primary_elected');
      assert.equal(elected?.details.to, newPrimary);
      assertNear('new primary elected', elected?.at, clock.promoteStarted, clock.promoted, t);
      // service_restored is the first restore seen: orders-db's primary, or orders-api answering again.
      assertNear('service restored', entry(t, 'service_restored')?.at, clock.promoteStarted, clock.promoted, t);
      assertNear('orders-db primary restored', entry(t, 'primary_restored', (e) => e.system === 'orders-db')?.at, clock.promoteStarted, clock.promoted, t);
      const rejoined = entry(t, 'old_primary_rejoined');
      assert.equal(rejoined?.member, oldPrimary);
      assertNear('old primary rejoined', rejoined?.at, clock.rejoinStarted, clock.rejoined, t);
      assertNear('resolved', entry(t, 'resolved')?.at, clock.rejoinStarted, clock.rejoined, t);
    });

    it('RTO and failover duration within one interval of the test clock; RPO reported', async (t) => {
      assert.ok(incidentId, 'the failover test ran');
      const m = (await incident(c, incidentId)).measurements;
      // The test's own RTO: kill -9 → the promoted node accepting writes (lab.sh waits for that).
      const lo = clock.promoteStarted - clock.killed;
      const hi = clock.promoted - clock.killed;
      t.diagnostic(`test clock RTO ${lo}-${hi}ms; Nines RTO ${m.rto.value_ms}ms (${m.rto.measured}), failover ${m.failover_duration.value_ms}ms, RPO ${JSON.stringify({ ...m.rpo, measured: undefined })}`);
      // orders-db has no endpoint of its own: the outage users saw is orders-api's (both span kill → promotion).
      assert.match(m.rto.measured, /user-facing endpoint|primary/);
      // Both ends are probe times, each up to one interval after the fact: the timeout does not enter.
      assertNear(`RTO (${JSON.stringify(m.rto)})`, m.rto.value_ms, lo, hi, undefined, INTERVAL + SLACK);
      assertNear(`failover duration (${JSON.stringify(m.failover_duration)})`, m.failover_duration.value_ms, lo, hi, undefined, INTERVAL + SLACK);
      assert.ok(m.rto.uncertainty_ms > 0, 'RTO says how uncertain it is');
      // The replica streamed every write until the kill: its lag then was well under an interval,
      // not the time it spent orphaned before the promotion.
      assert.equal(typeof m.rpo.lag_seconds, 'number', `RPO lag reported: ${JSON.stringify(m.rpo)}`);
      assert.ok(m.rpo.lag_seconds * 1000 < INTERVAL, `RPO lag ${m.rpo.lag_seconds}s: ${JSON.stringify(m.rpo)}`);
      assert.equal(typeof m.rpo.lsn_diff_bytes, 'number', `RPO LSN difference reported: ${JSON.stringify(m.rpo)}`);
      assert.ok(m.rpo.lsn_diff_bytes >= 0);
      assert.equal(typeof m.time_to_detect.value_ms, 'number');
      assert.ok(m.time_to_detect.value_ms <= TOL, `time to detect ${m.time_to_detect.value_ms}ms`);
    });

    it('5. the HTTP service that depends on orders-db fails during the failover and joins the same incident', async () => {
      assert.ok(incidentId, 'the failover test ran');
      const inc = await incident(c, incidentId);
      assert.deepEqual([...inc.systems].sort(), ['orders-api', 'orders-db']);
      assert.equal(inc.root_system, 'orders-db');
      const t = await timeline(c, incidentId);
      const apiDown = entry(t, 'service_down', (e) => e.system === 'orders-api');
      assertNear('orders-api down', apiDown?.at, clock.killed, clock.killed, t);
      const apiBack = entry(t, 'service_restored', (e) => e.system === 'orders-api');
      assertNear('orders-api restored', apiBack?.at, clock.promoteStarted, clock.promoted, t);
      // Whichever of the two was seen failing first, orders-db is the cause and orders-api the impact.
      assert.ok(kinds(t).includes('impact') || kinds(t).includes('root_cause_changed'), describeTimeline(t));
      const orphans = (await incidents(c, '?system=orders-api')).filter((i) => i.id !== incidentId);
      assert.deepEqual(orphans, [], 'no incident of its own');
    });
  });

  describe('6. PostgreSQL split brain: the replica promoted while the primary still runs', () => {
    let c: NinesCase;

    before(async () => {
      c = await startNinesCase('chaos_split', 'chaos', `${DEFAULTS}
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    expect: { primaries: 1, min_replicas: 1 }
    members:${labPostgresMembers()}
`);
      await waitHealthy(c, ['orders-db']);
      await waitFor('Nines names the primary', () => primaryOf(c, 'orders-db'));
    });

    after(async () => {
      await c?.stop();
      await labBreak('pg-heal');
    });

    it('a critical incident with split_brain, resolved when one primary is left', async () => {
      const startedAt = await labBreak('pg-split-brain');
      const promoted = Date.now();
      const { incident: inc, timeline: t } = await waitForIncident(c, 'orders-db', 'split_brain', (t) => kinds(t).includes('split_brain'));
      assert.equal(inc.severity, 'critical');
      const split = entry(t, 'split_brain')!;
      assert.equal((split.details.primaries as string[]).length, 2, JSON.stringify(split.details));
      assertNear('split_brain', split.at, startedAt, promoted, t);

      const healStarted = await labBreak('pg-rejoin-old-primary');
      const healed = Date.now();
      const done = await waitForIncident(c, 'orders-db', 'resolved', (t, i) => i.state === 'resolved' && kinds(t).includes('split_brain_resolved'), 30_000);
      assertOrdered(done.timeline, ['split_brain', 'split_brain_resolved', 'resolved']);
      assertNear('split_brain_resolved', entry(done.timeline, 'split_brain_resolved')!.at, healStarted, healed, done.timeline);
      assert.equal((await incidents(c)).length, 1);
    });
  });

  describe('2. Redis under Sentinel: kill -9 the master', () => {
    let c: NinesCase;
    let sentinels: Awaited<ReturnType<typeof listenForSwitchMaster>>;

    before(async () => {
      c = await startNinesCase('chaos_sentinel', 'chaos', `${DEFAULTS}
systems:${labRedisSystem()}
`);
      await waitHealthy(c, ['lab-redis']);
      sentinels = await listenForSwitchMaster();
      // Nines subscribes to the sentinels when it starts; give the subscriptions a moment to settle.
      await sleep(1000);
    });

    after(async () => {
      sentinels?.close();
      await c?.stop();
      await labBreak('redis-restart-old-master');
      await labUp(['redis-sentinel']); // waits until the returning node replicates and the Sentinels agree
    });

    it('switch_master is on the timeline within a second of Sentinel announcing it', async (tc) => {
      const killed = await labBreak('redis-kill-master');
      const announced = await waitFor('a Sentinel announcing +switch-master', () => sentinels.announced[0], 20_000, 20);
      const { incident: inc, timeline: t } = await waitForIncident(c, 'lab-redis', 'switch_master', (t) => kinds(t).includes('switch_master'));
      const sw = entry(t, 'switch_master')!;
      const gap = sw.at - announced.at;
      assert.ok(Math.abs(gap) <= 1000, `switch_master at ${sw.at}, Sentinel announced at ${announced.at} (${gap}ms apart)`);
      const { rows } = await c.sql.query<{ recorded_at: Date }>(`select recorded_at from events where system = 'lab-redis' and kind = 'switch_master' order by id limit 1`);
      const recordedGap = rows[0].recorded_at.getTime() - announced.at;
      assert.ok(recordedGap <= 1000, `switch_master recorded ${recordedGap}ms after Sentinel announced it`);

      // Sentinel names the new master by address; Nines names it by member, as its poll does.
      const newMaster = labRedisMember(announced.payload.split(' ')[4]);
      assert.ok(newMaster, announced.payload);
      assert.equal(sw.details.to, newMaster);
      const elected = entry(t, 'new_primary_elected');
      assert.equal(elected?.details.to, newMaster);
      assertOrdered(t, ['first_failure_observed', 'failover_started', 'switch_master']);
      assertOrdered(t, ['detected', 'switch_master']);
      assert.ok(entry(t, 'detected')!.at >= killed, 'detected after the kill');
      assert.ok(['major', 'critical'].includes(inc.severity), inc.severity);

      // The poll of r1 and r2 confirms what Sentinel announced: one new primary, one failover.
      const confirmed = await waitForIncident(c, 'lab-redis', 'leader_changed', (t) => kinds(t).includes('leader_changed'));
      assert.equal(entry(confirmed.timeline, 'leader_changed')!.details.to, newMaster);
      const ct = confirmed.timeline;
      assert.equal(ct.filter((e) => e.kind === 'new_primary_elected').length, 1, `one new_primary_elected: ${describeTimeline(ct)}`);
      assert.equal(confirmed.incident.id, inc.id);
      assert.equal((await incident(c, inc.id)).failovers, 1);

      // The endpoint is the Sentinels: clients sent to the dead master fail from the kill, not from
      // o_down, until the Sentinels name the new master. RTO spans kill → +switch-master.
      const measured = await waitFor('RTO measured', async () => {
        const i = await incident(c, inc.id);
        return i.measurements?.rto?.value_ms !== undefined ? i.measurements.rto : undefined;
      }, 20_000);
      const switchedAfter = announced.at - killed;
      tc.diagnostic(`test clock kill → +switch-master ${switchedAfter}ms; Nines RTO ${measured.value_ms}ms (${measured.measured})`);
      assert.match(measured.measured, /user-facing endpoint/);
      assertNear(`RTO (${JSON.stringify(measured)})`, measured.value_ms, switchedAfter - INTERVAL, switchedAfter + INTERVAL, undefined, SLACK);
    });
  });

  describe('3. ZooKeeper: kill -9 the leader', () => {
    let c: NinesCase;
    let oldLeader = '';
    const members = ['z1', 'z2', 'z3'];

    before(async () => {
      c = await startNinesCase('chaos_zookeeper', 'chaos', `${DEFAULTS}
systems:
  - name: lab-zk
    layer: coordination
    kind: zookeeper
    expect: { primaries: 1 }
    members:
${members.map((m, i) => `      - name: ${m}\n        probe: { kind: zookeeper, address: "127.0.0.1:${LAB_PORTS.zookeeper[i]}" }`).join('\n')}
`);
      await waitHealthy(c, ['lab-zk']);
      oldLeader = await waitFor('Nines names the leader', () => primaryOf(c, 'lab-zk'));
    });

    after(async () => {
      await c?.stop();
      await labBreak('zk-restart');
      await labUp(['zookeeper']);
    });

    it('leader change recorded, the ensemble keeps serving, resolved when the old leader rejoins as follower', async () => {
      const killed = await labBreak('zk-kill-leader');
      const { incident: inc, timeline: t } = await waitForIncident(c, 'lab-zk', 'a new leader', (t) => kinds(t).includes('new_primary_elected'));
      const down = entry(t, 'member_down', (e) => e.member === oldLeader);
      assert.equal(down?.details.role, 'leader', `old leader ${oldLeader} lost as leader: ${describeTimeline(t)}`);
      assertNear('leader lost', down?.details.first_failure_at, killed, killed, t);
      const elected = entry(t, 'new_primary_elected')!;
      assert.notEqual(elected.details.to, oldLeader);
      assert.ok(elected.at >= killed);

      // Two of three still form a quorum: one leads, one follows, both serve clients.
      const modes = await waitFor('the two survivors serving', async () => {
        const m = await Promise.all(LAB_PORTS.zookeeper.map(zkMode));
        return m.filter((x) => x === 'leader').length === 1 && m.filter((x) => x === 'follower').length === 1 ? m : undefined;
      });
      assert.equal(modes[members.indexOf(oldLeader)], undefined, 'the old leader is down');
      const sys = await waitFor('Nines sees the ensemble serving', async () => {
        const r = await c.api(`/api/v1/systems/lab-zk`);
        return r.body.primary === elected.details.to && r.body.members.filter((m: { state: string }) => m.state === 'up').length === 2 ? r.body : undefined;
      });
      assert.equal(sys.state, 'up');
      assert.equal((await incident(c, inc.id)).state, 'open', 'still open while the old leader is away');

      const restarted = await labBreak('zk-restart');
      const back = Date.now();
      const done = await waitForIncident(c, 'lab-zk', 'resolved', (t, i) => i.state === 'resolved', 60_000);
      const rejoined = entry(done.timeline, 'old_primary_rejoined');
      assert.equal(rejoined?.member, oldLeader, describeTimeline(done.timeline));
      assert.equal(rejoined?.details.role, 'follower');
      assertNear('old leader rejoined', rejoined?.at, restarted, back, done.timeline);
      assertOrdered(done.timeline, ['first_failure_observed', 'detected', 'new_primary_elected', 'old_primary_rejoined', 'resolved']);
      assert.equal(done.incident.id, inc.id);
      assert.equal((await incidents(c)).length, 1);
    });
  });

  describe('4. HAProxy: stop one backend', () => {
    let c: NinesCase;

    before(async () => {
      c = await startNinesCase('chaos_haproxy', 'chaos', `${DEFAULTS}
systems:
  - name: lab-lb
    layer: proxy
    kind: haproxy
    endpoint:
      probe: { kind: http, url: "http://127.0.0.1:${LAB_PORTS.haproxy}/", expect_status: [200], body_regex: "^backend b[12]" }
    members:
      - name: haproxy
        probe: { kind: haproxy, url: "${LAB_ENV.HAPROXY_STATS_CSV_URL}" }
`);
      await waitHealthy(c, ['lab-lb']);
    });

    after(async () => {
      await c?.stop();
      await labBreak('backend-start', '1');
    });

    it('pool degraded, not an outage: a warning incident, and the users\' endpoint keeps answering', async () => {
      // The users' view, from the test: the frontend every 100ms for the whole drill.
      const failures: string[] = [];
      const sentAt: number[] = [];
      let polling = true;
      let restarted = 0;
      let stoppedAt = 0;
      const users = (async () => {
        while (polling) {
          sentAt.push(Date.now());
          try {
            // A failed request is an error status or a refused connection, which come at once; 3 s only
            // bounds a hang (1 s was once exceeded by a healthy request while CI kept both cores busy).
            const r = await fetch(`http://127.0.0.1:${LAB_PORTS.haproxy}/`, { signal: AbortSignal.timeout(3000) });
            if (r.status !== 200) failures.push(`status ${r.status}`);
            await r.text();
          } catch (err) {
            failures.push(String(err));
          }
          await sleep(100);
        }
      })();
      try {
        const stopped = await labBreak('backend-stop', '1');
        stoppedAt = stopped;
        const { incident: inc, timeline: t } = await waitForIncident(c, 'lab-lb', 'backend_removed', (t) => kinds(t).includes('backend_removed'));
        const removed = entry(t, 'backend_removed')!;
        assert.match(String(removed.details.backend), /b1/);
        // HAProxy itself needs fall 2 × inter 500ms to mark b1 DOWN.
        assertNear('backend_removed', removed.at, stopped, stopped + 1000, t);
        assert.equal(inc.severity, 'warning');
        assert.equal(entry(t, 'service_down'), undefined, `no outage: ${describeTimeline(t)}`);
        const sys = (await c.api('/api/v1/systems/lab-lb')).body;
        assert.equal(sys.endpoint.state, 'up');

        restarted = await labBreak('backend-start', '1');
        const done = await waitForIncident(c, 'lab-lb', 'resolved', (t, i) => i.state === 'resolved' && kinds(t).includes('backend_returned'), 20_000);
        assert.equal(done.incident.id, inc.id);
        assert.equal(done.incident.severity, 'warning');
        assert.match(done.incident.measurements.rto.measured, /no user-facing outage/);
      } finally {
        // The drill can be over in two seconds; users keep coming for at least ten requests.
        await waitFor('ten user requests', () => sentAt.length >= 10, 15_000).catch(() => undefined);
        polling = false;
        await users;
      }
      assert.deepEqual(failures, [], `${failures.length} of ${sentAt.length} user requests failed`);
      assert.ok(sentAt.length >= 10, `only ${sentAt.length} user requests`);
      assert.ok(sentAt.some((at) => at >= stoppedAt && at <= restarted), `no user request while b1 was stopped (${stoppedAt}–${restarted})`);
    });
  });

  describe('keepalived: the VIP moves, and a drill is recorded as one', () => {
    let c: NinesCase;

    before(async () => {
      c = await startNinesCase('chaos_keepalived', 'chaos', `${DEFAULTS}
systems:
  - name: lab-vip
    layer: network
    kind: keepalived
    endpoint:
      probe: { kind: http, url: "${LAB_ENV.VIP_URL}", expect_status: [200] }
    members:
      - name: lb1
        probe: { kind: http, url: "http://${LAB_ENV.LB1_ADDR}:${LAB_ENV.VIP_PORT}/", expect_status: [200] }
      - name: lb2
        probe: { kind: http, url: "http://${LAB_ENV.LB2_ADDR}:${LAB_ENV.VIP_PORT}/", expect_status: [200] }
`);
      // Started now, so keepalived's first transitions (lb1 MASTER) reach this Nines.
      await labDown(['keepalived']);
      await labUp(['keepalived'], { NINES_NOTIFY_URL: `${c.nines.url}/api/v1/events/keepalived` });
      await waitHealthy(c, ['lab-vip']);
      await waitFor('keepalived told Nines lb1 holds the VIP', async () => {
        const { rows } = await c.sql.query(`select 1 from events where system = 'lab-vip' and details->>'state' = 'MASTER' and member = 'lb1'`);
        return rows.length > 0;
      });
    });

    after(async () => {
      await c?.stop();
      await labBreak('vip-restore').catch(() => undefined);
      await labDown(['keepalived']);
    });

    it('vip_moved on the timeline when the holder stops, and back when it returns', async () => {
      const failed = await labBreak('vip-fail');
      const moved = await waitForIncident(c, 'lab-vip', 'vip_moved', (t) => kinds(t).includes('vip_moved'));
      const mv = entry(moved.timeline, 'vip_moved')!;
      assert.equal(mv.details.from, 'lb1');
      assert.equal(mv.details.to, 'lb2');
      assertNear('vip_moved', mv.at, failed, failed, moved.timeline);
      assert.equal(entry(moved.timeline, 'new_primary_elected')?.details.to, 'lb2');
      assert.equal(moved.incident.drill, false);

      await labBreak('vip-restore');
      const back = await waitForIncident(c, 'lab-vip', 'VIP back on lb1', (t) => t.some((e) => e.kind === 'vip_moved' && e.details.to === 'lb1'), 20_000);
      assert.equal(back.incident.drill, false);
    });

    it('a drill started before a switchover records its incident as drill=true, and leaves the real one alone', async () => {
      const real = await incidents(c);
      assert.ok(real.length >= 1 && real.every((i) => !i.drill), 'the real VIP incident first');
      const start = await c.api('/api/v1/drills', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system: 'lab-vip', action: 'start', by: 'chaos-test' }) });
      assert.equal(start.status, 200, JSON.stringify(start.body));
      try {
        await labBreak('vip-fail');
        await waitFor('a drill incident with vip_moved', async () => {
          const d = (await incidents(c)).find((i) => i.drill);
          return d && kinds(await timeline(c, d.id)).includes('vip_moved') ? d : undefined;
        });
        await labBreak('vip-restore');
        await waitFor('the VIP back on lb1 in the drill incident', async () => {
          const d = (await incidents(c)).find((i) => i.drill);
          return d && (await timeline(c, d.id)).some((e) => e.kind === 'vip_moved' && e.details.to === 'lb1');
        });
      } finally {
        await c.api('/api/v1/drills', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system: 'lab-vip', action: 'stop' }) });
      }
      const after = await incidents(c);
      const drills = after.filter((i) => i.drill);
      assert.equal(drills.length, 1, JSON.stringify(after.map((i) => [i.id, i.drill, i.title])));
      for (const r of real) assert.equal(after.find((i) => i.id === r.id)?.drill, false, `incident ${r.id} stays a real one`);
    });
  });
});
