import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { verifyAck } from '../../libs/alerting/src/ack-token';
import { evaluate, evaluateScope, fingerprint, type AlertSpec, type AlertStatus } from '../../libs/alerting/src/alert';
import { AlertRepository, StaleAlertError } from '../../libs/alerting/src/alert.repository';
import { compileRouting, type RoutingConfig } from '../../libs/alerting/src/routing-config';
import { parseConfig } from '../../libs/config/src/config';
import type { NotificationPayload } from '../../libs/notify/src/notification';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { freshDatabase } from '../support/env';

/**
 * Alertmanager's dispatcher semantics, driven through AlertRepository against the real
 * PostgreSQL with explicit times (a fake clock): every `now` below is chosen by the test.
 */
const T0 = Date.UTC(2026, 2, 2, 10, 0, 0); // a Monday, 10:00 UTC
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const ACK_SECRET = 'integration-ack-secret-0123456789';

const CONFIG = `
alerting:
  external_url: https://nines.example.com/
  ack_secret: "${ACK_SECRET}"
  receivers:
    - name: oncall
      webhook: { url: "http://127.0.0.1:9/hook", allow_private: true }
    - name: chatops
      webhook: { url: "http://127.0.0.1:9/chat", allow_private: true }
    - name: boss
      email: { to: [boss@example.com] }
  route:
    receiver: oncall
    group_by: [system]
    group_wait: 0s
    group_interval: 1m
    repeat_interval: 1h
    routes:
      - { matchers: ['case="wait"'], group_wait: 30s }
      - { matchers: ['case="noresolve"'], send_resolved: false }
      - { matchers: ['case="escalate"'], escalate: { after: 15m, receiver: boss } }
      - { matchers: ['case="muted"'], mute_time_intervals: [nights] }
      - { matchers: ['case="both"'], receiver: chatops, continue: true }
      - { matchers: ['case="both"'], receiver: oncall }
  time_intervals:
    - name: nights
      intervals: [ { times: ['22:00-06:00'] } ]
  inhibit_rules:
    - { source_matchers: ['alertname="SystemDown"'], target_matchers: ['severity=~"warning|info"'], equal: [system] }
smtp: { url: "smtp://127.0.0.1:2525", from: "nines@example.com" }
`;

interface Row {
  id: string;
  receiver: string;
  channel: string;
  state: string;
  payload: NotificationPayload;
}

const spec = (alertname: string, system: string, extra: Record<string, string> = {}, incidentId?: number): AlertSpec => ({
  labels: { alertname, severity: alertname === 'SystemDown' ? 'page' : 'warning', system, ...extra },
  annotations: { summary: `${system}: ${alertname}${extra.member ? ` ${extra.member}` : ''}` },
  forMs: 0,
  incidentId,
});

describe('alert grouping, timing, silences, inhibition, acks and escalation (PostgreSQL, fake clock)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let repo: AlertRepository;
  let routing: RoutingConfig;
  /** In-memory alert state per scope, as AlertService keeps it. */
  let scopes: Map<string, Map<string, AlertStatus>>;

  /** One evaluation of a scope: these alerts hold now, the scope's others do not. */
  async function observe(scope: string, active: AlertSpec[], now: number): Promise<string[]> {
    const known = scopes.get(scope) ?? new Map<string, AlertStatus>();
    scopes.set(scope, known);
    const changes = evaluateScope(known, active, now);
    return changes.length ? repo.record(scope, changes, routing, now) : [];
  }

  async function notification(id: string): Promise<Row> {
    const [r] = await ds.query('select id, receiver, channel, state, payload from notifications where id = $1', [id]);
    assert.ok(r, `notification ${id} in the outbox`);
    return r;
  }
  const notifications = async (): Promise<Row[]> => ds.query('select id, receiver, channel, state, payload from notifications order by created_at, id');
  const alertnames = (p: NotificationPayload) => p.alerts.map((a) => `${a.status}:${a.labels.alertname}${a.labels.member ? `/${a.labels.member}` : ''}`).sort();
  async function openIncident(root: string, systems: string[]): Promise<number> {
    const [r] = await ds.query(
      `insert into incidents (state, severity, title, root_system, systems, opened_at) values ('open', 'critical', $1, $2, $3, $4) returning id`,
      [`${root} down`, root, systems, new Date(T0)],
    );
    return Number(r.id);
  }

  before(async () => {
    db = await freshDatabase('alert_grouping');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await migrate(ds);
    repo = new AlertRepository(ds);
    routing = compileRouting(parseConfig(CONFIG, {}), 'http://127.0.0.1:9797');
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    scopes = new Map();
    await ds.query('truncate alerts, alert_history, alert_groups, alert_group_members, notifications, silences, incidents cascade');
  });

  it('compare-and-set: a replica writing over an alert another replica changed since is refused, and nothing of its change is kept', async () => {
    const down = spec('SystemDown', 'orders-db');
    assert.equal((await observe('system:orders-db', [down], T0)).length, 1);
    // Replica B reads the stored state and resolves the alert.
    const [stored] = await repo.loadScope('system:orders-db');
    assert.equal(stored.state, 'firing');
    const b = evaluate(stored, undefined, T0 + 10 * S);
    await repo.record('system:orders-db', [{ status: b.next!, transitions: b.transitions }], routing, T0 + 10 * S);
    // Replica A (this test's scope map) still thinks it is firing: its next change is stale.
    const fp = fingerprint(down.labels);
    const a = evaluate(scopes.get('system:orders-db')!.get(fp), undefined, T0 + 11 * S);
    const before = await notifications();
    await assert.rejects(repo.record('system:orders-db', [{ status: a.next!, transitions: a.transitions }], routing, T0 + 11 * S), StaleAlertError);
    assert.deepEqual(await notifications(), before, 'no second resolved notification');
    const history = await ds.query(`select transition from alert_history where fingerprint = $1 order by id`, [fp]);
    assert.deepEqual(history.map((h: { transition: string }) => h.transition), ['pending', 'firing', 'resolved'], 'one resolved in the history');
    // A new alert stored meanwhile by another replica is refused the same way.
    const fresh = evaluate(undefined, spec('SystemDown', 'orders-db'), T0 + 12 * S);
    await assert.rejects(repo.record('system:orders-db', [{ status: { ...fresh.next!, version: undefined }, transitions: fresh.transitions }], routing, T0 + 12 * S), StaleAlertError);
  });

  it('group_wait 0: the first firing alert is in the outbox in the same transaction, once per channel', async () => {
    const ids = await observe('system:orders-db', [spec('SystemDown', 'orders-db')], T0);
    assert.equal(ids.length, 1);
    const n = await notification(ids[0]);
    assert.equal(n.receiver, 'oncall');
    assert.equal(n.channel, 'webhook');
    assert.equal(n.state, 'pending');
    assert.equal(n.payload.id, n.id, 'the payload id (webhook-id) is the row id');
    assert.equal(n.payload.status, 'firing');
    assert.deepEqual(n.payload.groupLabels, { system: 'orders-db' });
    assert.deepEqual(alertnames(n.payload), ['firing:SystemDown']);
    assert.equal(n.payload.alerts[0].startsAt, new Date(T0).toISOString());
    assert.equal(n.payload.externalUrl, 'https://nines.example.com');
    // Nothing else is due: the dispatcher finds nothing to do.
    assert.deepEqual(await repo.flushDue(routing, T0 + 30 * S), []);
    // The state change is durable, with its history.
    const [a] = await ds.query(`select state, fired_at from alerts where fingerprint = $1`, [fingerprint(spec('SystemDown', 'orders-db').labels)]);
    assert.equal(a.state, 'firing');
    const hist = await ds.query(`select transition from alert_history order by id`);
    assert.deepEqual(hist.map((h: { transition: string }) => h.transition), ['pending', 'firing']);
  });

  it('group_wait 30s: held, then one notification with everything that arrived meanwhile', async () => {
    assert.deepEqual(await observe('system:cache', [spec('MemberDown', 'cache', { case: 'wait', member: 'r1' })], T0), []);
    assert.deepEqual(await observe('system:cache', [spec('MemberDown', 'cache', { case: 'wait', member: 'r1' }), spec('MemberDown', 'cache', { case: 'wait', member: 'r2' })], T0 + 10 * S), []);
    assert.deepEqual(await repo.flushDue(routing, T0 + 29 * S), []);
    const ids = await repo.flushDue(routing, T0 + 30 * S);
    assert.equal(ids.length, 1);
    assert.deepEqual(alertnames((await notification(ids[0])).payload), ['firing:MemberDown/r1', 'firing:MemberDown/r2']);
    assert.deepEqual(await repo.flushDue(routing, T0 + 31 * S), []);
  });

  it('group_interval: changes after a notification wait for the interval and go out together', async () => {
    const a = spec('MemberDown', 'shop', { member: 'a' });
    const b = spec('MemberDown', 'shop', { member: 'b' });
    const c = spec('MemberDown', 'shop', { member: 'c' });
    assert.equal((await observe('system:shop', [a], T0)).length, 1);
    assert.deepEqual(await observe('system:shop', [a, b], T0 + 10 * S), [], 'inside group_interval: held');
    assert.deepEqual(await observe('system:shop', [a, b, c], T0 + 20 * S), []);
    assert.deepEqual(await repo.flushDue(routing, T0 + 59 * S), []);
    const ids = await repo.flushDue(routing, T0 + 60 * S);
    assert.equal(ids.length, 1);
    assert.deepEqual(alertnames((await notification(ids[0])).payload), ['firing:MemberDown/a', 'firing:MemberDown/b', 'firing:MemberDown/c']);
    assert.equal((await notifications()).length, 2);
  });

  it('repeat_interval: an unchanged firing group is sent again after the interval, not before', async () => {
    const a = spec('SystemDown', 'ledger');
    const [first] = await observe('system:ledger', [a], T0);
    for (const t of [T0 + M, T0 + 30 * M, T0 + 59 * M]) {
      assert.deepEqual(await observe('system:ledger', [a], t), [], 'no transition, nothing recorded');
      assert.deepEqual(await repo.flushDue(routing, t), [], `nothing at +${(t - T0) / M}m`);
    }
    const [repeat] = await repo.flushDue(routing, T0 + H);
    assert.ok(repeat);
    assert.notEqual(repeat, first, 'a repeat is a new notification (new id)');
    assert.deepEqual(alertnames((await notification(repeat)).payload), ['firing:SystemDown']);
    assert.deepEqual(await repo.flushDue(routing, T0 + H + 30 * M), []);
    assert.equal((await repo.flushDue(routing, T0 + 2 * H)).length, 1);
  });

  it('a change that cancels out within group_interval does not push the repeat back', async () => {
    const a = spec('MemberDown', 'queue', { member: 'k1' });
    const b = spec('MemberDown', 'queue', { member: 'k2' });
    assert.equal((await observe('system:queue', [a], T0)).length, 1);
    assert.deepEqual(await observe('system:queue', [a, b], T0 + 30 * S), [], 'b fires inside group_interval: held …');
    assert.deepEqual(await observe('system:queue', [a], T0 + 40 * S), [], '… and resolves before anyone was told');
    assert.deepEqual(await repo.flushDue(routing, T0 + M), [], 'nothing new to say');
    assert.equal((await repo.flushDue(routing, T0 + H)).length, 1, 'the repeat comes an hour after the last notification, not after the quiet flush');
  });

  it('send_resolved: the resolution is sent (at once when group_interval has passed); without it, nothing, and a re-fire is sent again', async () => {
    const a = spec('SystemDown', 'web');
    await observe('system:web', [a], T0);
    const [resolved] = await observe('system:web', [], T0 + 5 * M);
    assert.ok(resolved, 'resolved inline: group_interval since the last notification has passed');
    const p = (await notification(resolved)).payload;
    assert.equal(p.status, 'resolved');
    assert.deepEqual(alertnames(p), ['resolved:SystemDown']);
    assert.equal(p.alerts[0].endsAt, new Date(T0 + 5 * M).toISOString());

    const q = spec('SystemDown', 'search', { case: 'noresolve' });
    assert.equal((await observe('system:search', [q], T0)).length, 1);
    assert.deepEqual(await observe('system:search', [], T0 + 5 * M), [], 'send_resolved: false');
    assert.deepEqual(await repo.flushDue(routing, T0 + 6 * M), []);
    const refire = await observe('system:search', [q], T0 + 10 * M);
    assert.equal(refire.length, 1, 'firing again after a resolution nobody was told about is news');
    assert.deepEqual(alertnames((await notification(refire[0])).payload), ['firing:SystemDown']);
  });

  it('silences: respected immediately, for new alerts and for repeats; an expired silence lets the alert through', async () => {
    const silence = async (matchers: object[], endsAt: number) =>
      (await ds.query(`insert into silences (matchers, starts_at, ends_at, created_by, comment) values ($1, $2, $3, 'test', 'maintenance') returning id`, [JSON.stringify(matchers), new Date(T0 - H), new Date(endsAt)]))[0].id;
    const id = await silence([{ name: 'system', op: '=', value: 'billing' }], T0 + 3 * H);
    assert.deepEqual(await observe('system:billing', [spec('SystemDown', 'billing')], T0), [], 'silenced');
    assert.deepEqual(await repo.flushDue(routing, T0 + 5 * M), []);
    // Another system is not silenced.
    assert.equal((await observe('system:crm', [spec('SystemDown', 'crm')], T0)).length, 1);
    // A silence created while firing stops the repeat.
    await silence([{ name: 'system', op: '=~', value: 'cr.*' }], T0 + 3 * H);
    // The billing silence is expired (DELETE /silences/:id): the still-firing alert is sent at the next group interval.
    await ds.query('update silences set expired_at = $2 where id = $1', [id, new Date(T0 + 8 * M)]);
    const after = [...(await repo.flushDue(routing, T0 + 9 * M)), ...(await repo.flushDue(routing, T0 + 10 * M))];
    assert.equal(after.length, 1, 'the alert that fired under the silence is announced once it ends');
    assert.deepEqual((await notification(after[0])).payload.groupLabels, { system: 'billing' });
    assert.deepEqual(await repo.flushDue(routing, T0 + H), [], 'crm repeat silenced');
  });

  it('inhibition: a SystemDown mutes its own system’s warnings, not another system’s', async () => {
    const ids = await observe('system:orders-db', [spec('SystemDown', 'orders-db'), spec('ReplicationLagging', 'orders-db', { member: 'pg2' })], T0);
    assert.equal(ids.length, 1);
    assert.deepEqual(alertnames((await notification(ids[0])).payload), ['firing:SystemDown']);
    const other = await observe('system:ledger-db', [spec('ReplicationLagging', 'ledger-db', { member: 'l2' })], T0);
    assert.deepEqual(alertnames((await notification(other[0])).payload), ['firing:ReplicationLagging/l2']);
    // When the source resolves, the warning is no longer inhibited and is announced.
    const later = await observe('system:orders-db', [spec('ReplicationLagging', 'orders-db', { member: 'pg2' })], T0 + 2 * M);
    assert.equal(later.length, 1);
    assert.deepEqual(alertnames((await notification(later[0])).payload), ['firing:ReplicationLagging/pg2', 'resolved:SystemDown']);
  });

  it('inhibition: an alert of a system that is impact of another system’s incident does not page', async () => {
    const incident = await openIncident('orders-db', ['orders-db', 'web']);
    const root = await observe('system:orders-db', [spec('SystemDown', 'orders-db', {}, incident)], T0);
    const impact = await observe('system:web', [spec('SystemDown', 'web', {}, incident)], T0);
    assert.equal(root.length, 1);
    assert.deepEqual(impact, []);
    const all = await notifications();
    assert.deepEqual(all.map((n) => n.payload.groupLabels.system), ['orders-db']);
    const p = all[0].payload;
    assert.equal(p.incidentUrl, `https://nines.example.com/incidents/${incident}`);
    const token = p.ackUrl!.split('/api/v1/ack/')[1];
    assert.deepEqual(verifyAck(ACK_SECRET, token, Date.now()), { ok: true, incidentId: incident });
  });

  it('acknowledged incidents stop repeating; news in the group still goes out', async () => {
    const incident = await openIncident('pay', ['pay']);
    const a = spec('SystemDown', 'pay', {}, incident);
    assert.equal((await observe('system:pay', [a], T0)).length, 1);
    await ds.query('update incidents set acknowledged_at = $2, acknowledged_by = $3 where id = $1', [incident, new Date(T0 + 5 * M), 'alice']);
    assert.deepEqual(await repo.flushDue(routing, T0 + H), [], 'no repeat after the ack');
    assert.deepEqual(await repo.flushDue(routing, T0 + 3 * H), []);
    const b = spec('MemberDown', 'pay', { member: 'p2', severity: 'critical' }, incident);
    const news = [...(await observe('system:pay', [a, b], T0 + 3 * H + M)), ...(await repo.flushDue(routing, T0 + 3 * H + 2 * M))];
    assert.equal(news.length, 1, 'a new alert is news even when acknowledged');
    assert.deepEqual(await repo.flushDue(routing, T0 + 5 * H), [], 'and does not repeat either');
  });

  it('escalation: one notification to the next receiver after `after` unacknowledged; none when acknowledged', async () => {
    const incident = await openIncident('api', ['api']);
    assert.equal((await observe('system:api', [spec('SystemDown', 'api', { case: 'escalate' }, incident)], T0)).length, 1);
    assert.deepEqual(await repo.escalateDue(routing, T0 + 14 * M), []);
    const [esc] = await repo.escalateDue(routing, T0 + 15 * M);
    assert.ok(esc);
    const n = await notification(esc);
    assert.equal(n.receiver, 'boss');
    assert.equal(n.channel, 'email');
    assert.deepEqual(n.payload.escalation, { from: 'oncall', unacknowledgedForMs: 15 * M });
    assert.deepEqual(alertnames(n.payload), ['firing:SystemDown']);
    assert.deepEqual(await repo.escalateDue(routing, T0 + 16 * M), [], 'escalates once');
    assert.deepEqual(await repo.escalateDue(routing, T0 + 2 * H), []);

    const acked = await openIncident('auth', ['auth']);
    await observe('system:auth', [spec('SystemDown', 'auth', { case: 'escalate' }, acked)], T0);
    await ds.query('update incidents set acknowledged_at = $2 where id = $1', [acked, new Date(T0 + 10 * M)]);
    assert.deepEqual(await repo.escalateDue(routing, T0 + 20 * M), [], 'acknowledged in time: no escalation');
  });

  it('escalation does not page the next receiver for a silenced alert', async () => {
    const incident = await openIncident('dns', ['dns']);
    assert.equal((await observe('system:dns', [spec('SystemDown', 'dns', { case: 'escalate' }, incident)], T0)).length, 1);
    await ds.query(`insert into silences (matchers, starts_at, ends_at, created_by, comment) values ($1, $2, $3, 'test', 'known')`, [
      JSON.stringify([{ name: 'system', op: '=', value: 'dns' }]),
      new Date(T0 + M),
      new Date(T0 + 3 * H),
    ]);
    assert.deepEqual(await repo.escalateDue(routing, T0 + 20 * M), []);
  });

  it('mute time intervals: nothing during the interval, the alert goes out when it ends', async () => {
    const night = Date.UTC(2026, 2, 2, 23, 0, 0);
    assert.deepEqual(await observe('system:batch', [spec('SystemDown', 'batch', { case: 'muted' })], night), []);
    for (const t of [night + H, night + 6 * H + 59 * M]) assert.deepEqual(await repo.flushDue(routing, t), [], new Date(t).toISOString());
    const morning = Date.UTC(2026, 2, 3, 6, 0, 0);
    const ids = [...(await repo.flushDue(routing, morning)), ...(await repo.flushDue(routing, morning + M))];
    assert.equal(ids.length, 1);
    // The root route's alerts are not muted by a child's interval.
    assert.equal((await observe('system:etl', [spec('SystemDown', 'etl')], night)).length, 1);
  });

  it('continue: one alert, two routes, two receivers, two notifications', async () => {
    const ids = await observe('system:mq', [spec('SystemDown', 'mq', { case: 'both' })], T0);
    const rows = await Promise.all(ids.map(notification));
    assert.deepEqual(rows.map((r) => r.receiver).sort(), ['chatops', 'oncall']);
  });

  for (const ending of ['firing', 'resolved'] as const) {
    it(`flapping: held in one notification with a flap count instead of a storm; the final state (${ending}) is announced once stable`, async () => {
      const system = `flappy-${ending}`;
      const a = spec('SystemDown', system);
      // Down and up every 20s for 5 minutes, then it stays ${ending}.
      const steps = Array.from({ length: 16 }, (_, i) => i % 2 === 0);
      if (ending === 'firing') steps.push(true);
      for (const [i, down] of steps.entries()) {
        const now = T0 + i * 20 * S;
        await observe(`system:${system}`, down ? [a] : [], now);
        await repo.flushDue(routing, now);
      }
      const storm = await notifications();
      assert.ok(storm.length <= 3, `${storm.length} notifications for ${steps.length} flips: ${storm.map((r) => r.payload.status).join(',')}`);
      const flapped = storm.find((r) => r.payload.alerts.some((x) => x.flapping));
      assert.ok(flapped, 'one notification says it is flapping');
      assert.ok(flapped.payload.alerts[0].flapCount! >= 4, `flap count ${flapped.payload.alerts[0].flapCount}`);
      // Quiet for a whole flap window: the alert is stable, and what the receiver last heard is its real state.
      const quiet = T0 + steps.length * 20 * S + 11 * M;
      await observe(`system:${system}`, ending === 'firing' ? [a] : [], quiet);
      await repo.flushDue(routing, quiet);
      await repo.flushDue(routing, quiet + M);
      const all = await notifications();
      const last = all.at(-1)!.payload;
      assert.equal(last.status, ending, all.map((r) => `${r.payload.status}${r.payload.alerts[0]?.flapping ? '(flapping)' : ''}`).join(','));
      if (ending === 'firing') assert.ok(!last.alerts[0].flapping, 'no longer flapping');
      assert.ok(all.length <= storm.length + 1);
    });
  }
});
