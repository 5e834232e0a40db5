import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../../common/src/clock';
import { toDate, toMs } from '../../../common/src/time';
import { rowsOf } from '../../../common/src/rows';
import { SilenceRepository } from '../../../silences/src/silence.repository';
import type { AlertStatus, Transition } from '../alert';
import { alertFields, type AlertRowBase } from '../alert-row';
import type { FiringAlert } from '../inhibit';
import type { RoutingConfig } from '../routing-config';
import { escalationDue, planEscalation } from './escalation';
import { dueItems, escalationItems } from '../../../oncall/src/escalation';
import { planPolicyPages } from './policy-escalation';
import { ACK_CHANNELS, planAckPropagation } from './ack-propagation';
import { planFlush } from './flush';
import { groupsToJoin, notifies } from './grouping';
import type { DispatchIncident, GroupMember } from './member';
import { routeMuted, suppressor } from './mute';
import type { OutboxRow } from './outbox';

type Q = Pick<EntityManager, 'query'>;

interface MemberRow extends AlertRowBase {
  notified_state?: string | null;
}

const MEMBER_COLUMNS = 'a.fingerprint, a.labels, a.annotations, a.state, a.active_at, a.fired_at, a.resolved_at, a.incident_id, a.flapping, a.flips';

function toMember(r: MemberRow): GroupMember {
  return { ...alertFields(r), notifiedState: r.notified_state ?? undefined };
}

/**
 * The dispatch's SQL: alert groups, their members and the outbox rows. Every decision is made by
 * the pure stages (grouping → mute → dedup → payload → outbox); this class reads their inputs
 * and writes their plans, inside the caller's transaction where there is one.
 */
export class AlertDispatcher {
  private readonly silences: SilenceRepository;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {
    this.silences = new SilenceRepository(ds);
  }

  /** Puts a changed alert into its groups (when the change is news); returns the keys of the groups it joined. */
  async join(m: Q, s: AlertStatus, transitions: Transition[], routing: RoutingConfig, now: number): Promise<string[]> {
    if (!notifies(transitions, s.flapping)) return [];
    const keys: string[] = [];
    for (const g of groupsToJoin(routing.root, s.labels, now)) {
      // A group that flushed before takes a newcomer at group_interval after its last flush, not group_wait.
      await m.query(
        `insert into alert_groups (key, route_id, receiver, group_labels, next_flush_at) values ($1, $2, $3, $4, $5)
         on conflict (key) do update set receiver = excluded.receiver, updated_at = now(),
           next_flush_at = least(coalesce(alert_groups.next_flush_at, 'infinity'),
             case when alert_groups.last_flush_at is null then excluded.next_flush_at
                  else greatest($6::timestamptz, alert_groups.last_flush_at + $7::interval) end)`,
        [g.key, g.route.id, g.route.receiver, g.groupLabels, toDate(g.firstFlushAt), toDate(now), `${g.route.groupIntervalMs} milliseconds`],
      );
      await m.query(`insert into alert_group_members (group_key, fingerprint) values ($1, $2) on conflict do nothing`, [g.key, s.fingerprint]);
      keys.push(g.key);
    }
    return keys;
  }

  async flushIfDue(m: Q, key: string, routing: RoutingConfig, now: number): Promise<string[]> {
    const rows: { next_flush_at: Date | null }[] = await m.query('select next_flush_at from alert_groups where key = $1 for update', [key]);
    if (!rows.length || !rows[0].next_flush_at || toMs(rows[0].next_flush_at) > now) return [];
    return this.flush(m, key, routing, now);
  }

  /** Flushes due groups (called by the dispatcher loop); each group is flushed by one replica. */
  async flushDue(routing: RoutingConfig, now: number, limit = 100): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      const due: { key: string }[] = await m.query(
        'select key from alert_groups where next_flush_at <= $1 order by next_flush_at limit $2 for update skip locked',
        [toDate(now), limit],
      );
      const ids: string[] = [];
      for (const { key } of due) ids.push(...(await this.flush(m, key, routing, now)));
      return ids;
    });
  }

  private async flush(m: Q, key: string, routing: RoutingConfig, now: number): Promise<string[]> {
    const [g]: { route_id: string; receiver: string; group_labels: Record<string, string>; last_flush_at: Date | null; last_hash: string | null }[] = await m.query(
      'select route_id, receiver, group_labels, last_flush_at, last_hash from alert_groups where key = $1',
      [key],
    );
    const route = routing.routesById.get(g.route_id);
    if (!route) {
      // The route no longer exists after a reload: the group is gone with it.
      await m.query('delete from alert_groups where key = $1', [key]);
      return [];
    }
    if (routeMuted(now, route, routing.intervals)) {
      await m.query('update alert_groups set next_flush_at = $2 where key = $1', [key, toDate(now + route.groupIntervalMs)]);
      return [];
    }
    const members = (
      await m.query(
        `select ${MEMBER_COLUMNS}, gm.notified_state
           from alert_group_members gm join alerts a on a.fingerprint = gm.fingerprint where gm.group_key = $1`,
        [key],
      )
    ).map(toMember);
    const { incidents, suppressed } = await this.suppression(m, members, routing, now);
    const plan = planFlush({
      group: { key, receiver: g.receiver, groupLabels: g.group_labels, lastFlushAt: toMs(g.last_flush_at), lastHash: g.last_hash ?? undefined },
      route,
      members,
      suppressed,
      incidents,
      routing,
      now,
      issuedAt: this.clock.now(),
    });
    if (!plan.send) {
      await m.query('update alert_groups set next_flush_at = $2, last_hash = case when $3 then $4 else last_hash end where key = $1', [key, toDate(plan.nextFlushAt), plan.rememberHash, plan.hash]);
      if (plan.finished.length) await m.query('delete from alert_group_members where group_key = $1 and fingerprint = any($2)', [key, plan.finished]);
      return [];
    }
    const ids = await this.insertOutbox(m, plan.rows, key, plan.firstAlertAt);
    await m.query(`update alert_group_members set notified_state = 'firing' where group_key = $1 and fingerprint = any($2)`, [key, plan.notifiedFiring]);
    if (plan.finished.length) await m.query('delete from alert_group_members where group_key = $1 and fingerprint = any($2)', [key, plan.finished]);
    await m.query(
      `update alert_groups set last_flush_at = $2, last_hash = $3, next_flush_at = $4,
         first_firing_at = case when $5 then coalesce(first_firing_at, $2) else null end,
         escalated_at = case when $5 then escalated_at else null end,
         escalation_sent_until = case when $5 then escalation_sent_until else null end
       where key = $1`,
      [key, toDate(now), plan.hash, toDate(plan.nextFlushAt), plan.firing],
    );
    return ids;
  }

  /** Groups unacknowledged past their route's escalation delay get one notification to the next receiver. */
  async escalateDue(routing: RoutingConfig, now: number): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      const groups: { key: string; route_id: string; receiver: string; group_labels: Record<string, string>; first_firing_at: Date }[] = await m.query(
        `select key, route_id, receiver, group_labels, first_firing_at from alert_groups
          where first_firing_at is not null and escalated_at is null for update skip locked`,
      );
      const ids: string[] = [];
      for (const g of groups) {
        const route = routing.routesById.get(g.route_id);
        const firstFiringAt = toMs(g.first_firing_at);
        if (!escalationDue(route, firstFiringAt, now)) continue;
        const members = (
          await m.query(
            `select ${MEMBER_COLUMNS}
               from alert_group_members gm join alerts a on a.fingerprint = gm.fingerprint where gm.group_key = $1 and a.state = 'firing'`,
            [g.key],
          )
        ).map(toMember);
        if (!members.length) continue;
        const { incidents, suppressed } = await this.suppression(m, members, routing, now);
        const plan = planEscalation({
          key: g.key,
          from: g.receiver,
          route,
          groupLabels: g.group_labels,
          members,
          suppressed,
          incidents,
          firstFiringAt,
          routing,
          now,
          issuedAt: this.clock.now(),
        });
        if (!plan) continue;
        ids.push(...(await this.insertOutbox(m, plan.rows, g.key, firstFiringAt)));
        await m.query('update alert_groups set escalated_at = $2 where key = $1', [g.key, toDate(now)]);
      }
      return ids;
    });
  }

  /**
   * Groups whose route names an escalation policy: the policy's items due since the last pass are
   * paged (outbox rows with ids from the item), each on the incident timeline and in the audit log,
   * in one transaction; everything acknowledged stops the policy for this firing.
   */
  async escalatePolicies(routing: RoutingConfig, now: number, onCall: (schedule: string, at: number) => string | null): Promise<string[]> {
    if (!routing.policies.size) return [];
    return this.ds.transaction(async (m) => {
      const groups: { key: string; route_id: string; group_labels: Record<string, string>; first_firing_at: Date; sent_until: Date | null }[] = await m.query(
        `select key, route_id, group_labels, first_firing_at, escalation_sent_until as sent_until from alert_groups
          where first_firing_at is not null and (escalation_sent_until is null or escalation_sent_until < $1) for update skip locked`,
        [toDate(now)],
      );
      const ids: string[] = [];
      for (const g of groups) {
        const policyName = routing.routesById.get(g.route_id)?.escalationPolicy;
        const policy = policyName ? routing.policies.get(policyName) : undefined;
        if (!policy) continue;
        const firstFiringAt = toMs(g.first_firing_at);
        const due = dueItems(escalationItems(policy, firstFiringAt, routing.people, onCall), g.sent_until ? toMs(g.sent_until) : undefined, now);
        if (!due.length) continue;
        const members: GroupMember[] = (
          await m.query(`select ${MEMBER_COLUMNS} from alert_group_members gm join alerts a on a.fingerprint = gm.fingerprint where gm.group_key = $1 and a.state = 'firing'`, [g.key])
        ).map(toMember);
        if (!members.length) continue;
        const { incidents, suppressed } = await this.suppression(m, members, routing, now);
        const page = planPolicyPages({ key: g.key, policy: policy.name, groupLabels: g.group_labels, members, suppressed, incidents, firstFiringAt, due, routing, now, issuedAt: this.clock.now() });
        if (page.stopped) {
          await m.query(`update alert_groups set escalation_sent_until = 'infinity' where key = $1`, [g.key]);
          continue;
        }
        ids.push(...(await this.insertOutbox(m, page.rows, g.key, firstFiringAt)));
        const incidentIds = [...new Set(members.map((a) => a.incidentId).filter((x): x is number => x !== undefined))] as number[];
        for (const st of page.steps) {
          for (const id of incidentIds) {
            await m.query(`insert into incident_timeline (incident_id, at, kind, message, details) values ($1, $2, 'escalation', $3, $4)`, [
              id,
              toDate(now),
              st.message,
              JSON.stringify({ policy: policy.name, item: st.item, receiver: st.receiver ?? null, channels: st.channels }),
            ]);
          }
          await m.query(`insert into audit_log (actor, role, action, target, after) values ('nines', 'system', 'escalation.page', $1, $2)`, [
            g.key,
            JSON.stringify({ policy: policy.name, item: st.item, message: st.message, receiver: st.receiver ?? null, channels: st.channels, incidents: incidentIds }),
          ]);
        }
        await m.query('update alert_groups set escalation_sent_until = $2 where key = $1', [g.key, toDate(now)]);
      }
      return ids;
    });
  }

  /**
   * Acknowledgements made in Nines (API, console, signed link, Slack button) told to PagerDuty and
   * Opsgenie: for each firing group that triggered there and whose incidents are now all
   * acknowledged, one `acknowledged` row per provider receiver. The acknowledgement is read from
   * the incidents (the dispatcher notices it; the ack path writes nothing for delivery), and the
   * ids from the group and its incidents make it once across replicas and passes.
   */
  async propagateAcks(routing: RoutingConfig, now: number): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      const triggered: { group_key: string; receiver: string; channel: (typeof ACK_CHANNELS)[number]; group_labels: Record<string, string> }[] = await m.query(
        `select distinct n.group_key, n.receiver, n.channel, g.group_labels
           from notifications n join alert_groups g on g.key = n.group_key
          where g.first_firing_at is not null and n.channel = any($1) and n.kind = 'alerts' and n.payload->>'status' = 'firing'`,
        [ACK_CHANNELS],
      );
      const byGroup = new Map<string, typeof triggered>();
      for (const t of triggered) byGroup.set(t.group_key, [...(byGroup.get(t.group_key) ?? []), t]);
      const ids: string[] = [];
      for (const [key, sent] of byGroup) {
        const members: GroupMember[] = (
          await m.query(`select ${MEMBER_COLUMNS} from alert_group_members gm join alerts a on a.fingerprint = gm.fingerprint where gm.group_key = $1 and a.state = 'firing'`, [key])
        ).map(toMember);
        const incidentIds = [...new Set(members.map((a) => a.incidentId).filter((x): x is number => x !== undefined))].map(String);
        if (!members.length || incidentIds.length === 0) continue;
        const incidents = (await m.query('select id, root_system, acknowledged_at, acknowledged_by from incidents where id = any($1::bigint[])', [incidentIds])).map(
          (i: { id: string; root_system: string; acknowledged_at: Date | null; acknowledged_by: string | null }) => ({ id: Number(i.id), rootSystem: i.root_system, acknowledged: !!i.acknowledged_at, acknowledgedBy: i.acknowledged_by ?? undefined }),
        );
        const rows = planAckPropagation({ key, groupLabels: sent[0].group_labels, triggered: sent, members, incidents, routing, issuedAt: this.clock.now() });
        for (const r of rows) {
          const inserted = rowsOf<{ id: string }>(await m.query(
            `insert into notifications (id, group_key, receiver, channel, kind, payload, state, first_alert_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7) on conflict (id) do nothing returning id`,
            [r.id, key, r.payload.receiver, r.channel, r.payload.kind, JSON.stringify(r.payload), toDate(now)],
          ));
          if (inserted.length) ids.push(r.id);
        }
      }
      return ids;
    });
  }

  private async insertOutbox(m: Q, rows: OutboxRow[], key: string, firstAlertAt: number): Promise<string[]> {
    for (const r of rows) {
      await m.query(
        `insert into notifications (id, group_key, receiver, channel, kind, payload, state, first_alert_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7) on conflict (id) do nothing`,
        [r.id, key, r.payload.receiver, r.channel, r.payload.kind, JSON.stringify(r.payload), toDate(firstAlertAt)],
      );
    }
    return rows.map((r) => r.id);
  }

  /** The mute stage's inputs as of `now`, read in the flush's transaction: silences, firing alerts, the members' incidents. */
  private async suppression(m: Q, members: GroupMember[], routing: RoutingConfig, now: number) {
    const silences = await this.silences.active(now, m);
    const firing: FiringAlert[] = (await m.query(`select fingerprint, labels, incident_id from alerts where state = 'firing'`)).map(
      (r: { fingerprint: string; labels: Record<string, string>; incident_id: string | null }) => ({ fingerprint: r.fingerprint, labels: r.labels, incidentId: r.incident_id === null ? undefined : Number(r.incident_id) }),
    );
    const incidentIds = [...new Set(members.map((a) => a.incidentId).filter((x): x is number => x !== undefined))].map(String);
    const incidents: DispatchIncident[] = (
      incidentIds.length ? await m.query('select id, root_system, acknowledged_at from incidents where id = any($1::bigint[])', [incidentIds]) : []
    ).map((i: { id: string; root_system: string; acknowledged_at: Date | null }) => ({ id: Number(i.id), rootSystem: i.root_system, acknowledged: !!i.acknowledged_at }));
    return { incidents, suppressed: suppressor({ silences, firing, inhibit: routing.inhibit, incidents }) };
  }
}
