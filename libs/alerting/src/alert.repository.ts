import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../../common/src/rows';
import type { Matcher } from '../../config/src/matchers';
import type { NotificationPayload, NotifiedAlert } from '../../notify/src/notification';
import type { AlertStatus, Transition } from './alert';
import { signAck } from './ack-token';
import { inhibitedBy, type FiringAlert } from './inhibit';
import { matchesAll } from './matchers';
import { groupKey, matchRoutes, type Route } from './route';
import type { RoutingConfig } from './routing-config';
import { isMuted } from './time-intervals';

type Q = Pick<EntityManager, 'query'>;
const ts = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
const ms = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() : undefined);

export interface AlertRow {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: AlertStatus['annotations'];
  state: AlertStatus['state'];
  active_at: Date | null;
  fired_at: Date | null;
  resolved_at: Date | null;
  incident_id: string | null;
  flapping: boolean;
  flips: number[];
  version: string | number;
}

/**
 * Another replica changed an alert of the scope since it was read: the caller reads the scope
 * again and evaluates anew. Nothing of the failed write was kept (the transaction rolled back).
 */
export class StaleAlertError extends Error {
  constructor(readonly fingerprint: string) {
    super(`alert ${fingerprint} was changed by another replica since it was read`);
    this.name = 'StaleAlertError';
  }
}

export function toStatus(r: AlertRow): AlertStatus {
  return {
    fingerprint: r.fingerprint,
    labels: r.labels,
    annotations: r.annotations,
    state: r.state,
    activeAt: ms(r.active_at),
    firedAt: ms(r.fired_at),
    resolvedAt: ms(r.resolved_at),
    incidentId: r.incident_id === null ? undefined : Number(r.incident_id),
    flapping: r.flapping,
    flips: r.flips,
    version: Number(r.version),
  };
}

export interface SilenceRow {
  id: string;
  matchers: Matcher[];
  starts_at: Date;
  ends_at: Date;
  created_by: string;
  comment: string;
}

/**
 * Alert state, history, grouping and the notification outbox, all in PostgreSQL. An alert's
 * state change, its history row, its groups and — when a group is due at once — the
 * notification row are written in one transaction: a crash can lose neither the change nor
 * the notification, and cannot produce a notification for a change that was rolled back.
 */
export class AlertRepository {
  constructor(private readonly ds: DataSource) {}

  async loadScope(scope: string): Promise<AlertStatus[]> {
    const rows: AlertRow[] = await this.ds.query(
      'select fingerprint, labels, annotations, state, active_at, fired_at, resolved_at, incident_id, flapping, flips, version from alerts where scope = $1',
      [scope],
    );
    return rows.map(toStatus);
  }

  /** Records changes of one scope's alerts and flushes groups that are due now. Returns new notification ids. */
  async record(scope: string, changes: { status: AlertStatus; transitions: Transition[] }[], routing: RoutingConfig, now: number): Promise<string[]> {
    const versions = new Map<AlertStatus, number>();
    const ids = await this.ds.transaction(async (m) => {
      const touched = new Set<string>();
      for (const { status: s, transitions } of changes) {
        // Compare-and-set: a new alert is inserted only if nobody stored it meanwhile, a known one
        // is updated only at the version it was read at. Otherwise the whole change is stale.
        const values = [s.fingerprint, scope, s.labels.alertname ?? '', s.labels, s.annotations, s.state, ts(s.activeAt), ts(s.firedAt), ts(s.resolvedAt), s.incidentId ?? null, s.flapping, JSON.stringify(s.flips)];
        const written = rowsOf<{ version: string }>(
          s.version === undefined
            ? await m.query(
                `insert into alerts (fingerprint, scope, alertname, labels, annotations, state, active_at, fired_at, resolved_at, incident_id, flapping, flips, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
                 on conflict (fingerprint) do nothing returning version`,
                values,
              )
            : await m.query(
                `update alerts set scope = $2, alertname = $3, labels = $4, annotations = $5, state = $6, active_at = $7, fired_at = $8, resolved_at = $9,
                   incident_id = $10, flapping = $11, flips = $12, updated_at = now(), version = version + 1
                 where fingerprint = $1 and version = $13 returning version`,
                [...values, s.version],
              ),
        );
        if (!written.length) throw new StaleAlertError(s.fingerprint);
        versions.set(s, Number(written[0].version));
        for (const t of transitions) {
          await m.query(
            `insert into alert_history (fingerprint, at, transition, alertname, labels, summary, reason, incident_id) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [s.fingerprint, ts(now), t, s.labels.alertname ?? '', s.labels, s.annotations.summary, s.annotations.reason ?? null, s.incidentId ?? null],
          );
        }
        // While flapping, flips are held: only entering and leaving the flapping state notify.
        const notify = transitions.some((t) => t === 'flapping' || t === 'stable' || ((t === 'firing' || t === 'resolved') && !s.flapping));
        if (!notify || !routing.root) continue;
        for (const route of matchRoutes(routing.root, s.labels)) {
          const { key, groupLabels } = groupKey(route, s.labels);
          await m.query(
            `insert into alert_groups (key, route_id, receiver, group_labels, next_flush_at) values ($1, $2, $3, $4, $5)
             on conflict (key) do update set receiver = excluded.receiver, updated_at = now(),
               next_flush_at = least(coalesce(alert_groups.next_flush_at, 'infinity'),
                 case when alert_groups.last_flush_at is null then excluded.next_flush_at
                      else greatest($6::timestamptz, alert_groups.last_flush_at + $7::interval) end)`,
            [key, route.id, route.receiver, groupLabels, ts(now + route.groupWaitMs), ts(now), `${route.groupIntervalMs} milliseconds`],
          );
          await m.query(`insert into alert_group_members (group_key, fingerprint) values ($1, $2) on conflict do nothing`, [key, s.fingerprint]);
          touched.add(key);
        }
      }
      const out: string[] = [];
      for (const key of touched) out.push(...(await this.flushIfDue(m, key, routing, now)));
      return out;
    });
    // Committed: the statuses now stand at the versions written.
    for (const [s, v] of versions) s.version = v;
    return ids;
  }

  async flushIfDue(m: Q, key: string, routing: RoutingConfig, now: number): Promise<string[]> {
    const rows: { next_flush_at: Date | null }[] = await m.query('select next_flush_at from alert_groups where key = $1 for update', [key]);
    if (!rows.length || !rows[0].next_flush_at || rows[0].next_flush_at.getTime() > now) return [];
    return this.flush(m, key, routing, now);
  }

  /** Flushes due groups (called by the dispatcher loop); each group is flushed by one replica. */
  async flushDue(routing: RoutingConfig, now: number, limit = 100): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      const due: { key: string }[] = await m.query(
        'select key from alert_groups where next_flush_at <= $1 order by next_flush_at limit $2 for update skip locked',
        [ts(now), limit],
      );
      const ids: string[] = [];
      for (const { key } of due) ids.push(...(await this.flush(m, key, routing, now)));
      return ids;
    });
  }

  private async flush(m: Q, key: string, routing: RoutingConfig, now: number): Promise<string[]> {
    const [g]: { route_id: string; receiver: string; group_labels: Record<string, string>; last_flush_at: Date | null; last_hash: string | null; first_firing_at: Date | null }[] = await m.query(
      'select route_id, receiver, group_labels, last_flush_at, last_hash, first_firing_at from alert_groups where key = $1',
      [key],
    );
    const route = routing.routesById.get(g.route_id);
    if (!route) {
      // The route no longer exists after a reload: the group is gone with it.
      await m.query('delete from alert_groups where key = $1', [key]);
      return [];
    }
    const muted = isMuted(now, route.muteTimeIntervals, routing.intervals);
    if (muted) {
      await m.query('update alert_groups set next_flush_at = $2 where key = $1', [key, ts(now + route.groupIntervalMs)]);
      return [];
    }
    const members: (AlertRow & { notified_state: string | null })[] = await m.query(
      `select a.fingerprint, a.labels, a.annotations, a.state, a.active_at, a.fired_at, a.resolved_at, a.incident_id, a.flapping, a.flips, gm.notified_state
         from alert_group_members gm join alerts a on a.fingerprint = gm.fingerprint where gm.group_key = $1`,
      [key],
    );
    const { incidents, suppressed } = await this.suppression(m, members, routing, now);
    const firing = members.filter((a) => a.state === 'firing' && !suppressed(a));
    const resolved = route.sendResolved ? members.filter((a) => (a.state === 'resolved' || a.state === 'inactive') && a.notified_state === 'firing') : [];
    // Members that are no longer firing are done with this group once their resolution went out.
    const finished = members.filter((a) => a.state !== 'firing' && a.state !== 'pending');

    const hash = createHash('sha256')
      .update(firing.map((a) => `${a.fingerprint}:${a.flapping}`).sort().join(',') + '|' + resolved.map((a) => a.fingerprint).sort().join(','))
      .digest('hex')
      .slice(0, 16);
    const repeatDue = g.last_flush_at !== null && now - g.last_flush_at.getTime() >= route.repeatIntervalMs;
    const allAcked = firing.length > 0 && firing.every((a) => a.incident_id !== null && incidents.find((i) => i.id === a.incident_id)?.acknowledged_at);
    const changed = hash !== g.last_hash;
    const nextRepeat = firing.length ? ts(now + route.repeatIntervalMs) : null;

    if ((!firing.length && !resolved.length) || (!changed && (!repeatDue || allAcked))) {
      // Silenced or inhibited members still fire: look again each group_interval, as a silence
      // can end. Nothing firing at all: remember that, so firing again is news.
      const stillFiring = members.some((a) => a.state === 'firing');
      const next = firing.length
        ? ts(repeatDue ? now + route.repeatIntervalMs : g.last_flush_at!.getTime() + route.repeatIntervalMs)
        : stillFiring
          ? ts(now + route.groupIntervalMs)
          : null;
      await m.query('update alert_groups set next_flush_at = $2, last_hash = case when $3 then $4 else last_hash end where key = $1', [key, next, !stillFiring, hash]);
      if (finished.length) await m.query('delete from alert_group_members where group_key = $1 and fingerprint = any($2)', [key, finished.map((a) => a.fingerprint)]);
      return [];
    }

    const id = `n-${createHash('sha256').update(`${key}@${now}`).digest('hex').slice(0, 24)}`;
    const payload = this.payload(id, key, g.receiver, g.group_labels, firing, resolved, routing, incidents);
    const firstAlertAt = Math.min(...[...firing, ...resolved].map((a) => ms(a.state === 'firing' ? a.fired_at : a.resolved_at) ?? now));
    const ids = await this.insertNotifications(m, payload, key, routing, firstAlertAt);
    await m.query(`update alert_group_members set notified_state = 'firing' where group_key = $1 and fingerprint = any($2)`, [key, firing.map((a) => a.fingerprint)]);
    if (finished.length) await m.query('delete from alert_group_members where group_key = $1 and fingerprint = any($2)', [key, finished.map((a) => a.fingerprint)]);
    await m.query(
      `update alert_groups set last_flush_at = $2, last_hash = $3, next_flush_at = $4,
         first_firing_at = case when $5 then coalesce(first_firing_at, $2) else null end,
         escalated_at = case when $5 then escalated_at else null end
       where key = $1`,
      [key, ts(now), hash, nextRepeat, firing.length > 0],
    );
    return ids;
  }

  /** One outbox row per delivery channel of the receiver, ids derived from the flush (stable). */
  private async insertNotifications(m: Q, payload: NotificationPayload, key: string, routing: RoutingConfig, firstAlertAt: number): Promise<string[]> {
    const ids: string[] = [];
    for (const channel of routing.channels.get(payload.receiver) ?? []) {
      const id = `${payload.id}-${channel}`;
      await m.query(
        `insert into notifications (id, group_key, receiver, channel, kind, payload, state, first_alert_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7) on conflict (id) do nothing`,
        [id, key, payload.receiver, channel, payload.kind, JSON.stringify({ ...payload, id }), ts(firstAlertAt)],
      );
      ids.push(id);
    }
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
        if (!route?.escalate || now - g.first_firing_at.getTime() < route.escalate.afterMs) continue;
        const members: AlertRow[] = await m.query(
          `select a.fingerprint, a.labels, a.annotations, a.state, a.active_at, a.fired_at, a.resolved_at, a.incident_id, a.flapping, a.flips
             from alert_group_members gm join alerts a on a.fingerprint = gm.fingerprint where gm.group_key = $1 and a.state = 'firing'`,
          [g.key],
        );
        if (!members.length) continue;
        const { incidents, suppressed } = await this.suppression(m, members, routing, now);
        // A silenced or inhibited alert pages nobody, the next receiver included.
        const paging = members.filter((a) => !suppressed(a));
        if (!paging.length) continue;
        if (paging.every((a) => a.incident_id !== null && incidents.find((i) => i.id === a.incident_id)?.acknowledged_at)) continue;
        const id = `e-${createHash('sha256').update(`${g.key}@${g.first_firing_at.getTime()}`).digest('hex').slice(0, 24)}`;
        const payload = this.payload(id, g.key, route.escalate.receiver, g.group_labels, paging, [], routing, incidents);
        payload.escalation = { from: g.receiver, unacknowledgedForMs: now - g.first_firing_at.getTime() };
        ids.push(...(await this.insertNotifications(m, payload, g.key, routing, g.first_firing_at.getTime())));
        await m.query('update alert_groups set escalated_at = $2 where key = $1', [g.key, ts(now)]);
      }
      return ids;
    });
  }

  /** Silences, inhibition rules and incident impact, as of `now`, for these alerts. */
  private async suppression(m: Q, members: AlertRow[], routing: RoutingConfig, now: number) {
    const silences = await this.activeSilences(m, now);
    const firingAll: FiringAlert[] = (await m.query(`select fingerprint, labels, incident_id from alerts where state = 'firing'`)).map(
      (r: { fingerprint: string; labels: Record<string, string>; incident_id: string | null }) => ({ fingerprint: r.fingerprint, labels: r.labels, incidentId: r.incident_id === null ? undefined : Number(r.incident_id) }),
    );
    const incidentIds = [...new Set(members.map((a) => a.incident_id).filter((x): x is string => x !== null))];
    const incidents: { id: string; root_system: string; acknowledged_at: Date | null }[] = incidentIds.length
      ? await m.query('select id, root_system, acknowledged_at from incidents where id = any($1::bigint[])', [incidentIds])
      : [];
    const rootOf = (id: number) => incidents.find((i) => Number(i.id) === id)?.root_system;
    const suppressed = (a: AlertRow) =>
      silences.some((s) => matchesAll(s.matchers, a.labels)) ||
      !!inhibitedBy({ fingerprint: a.fingerprint, labels: a.labels, incidentId: a.incident_id === null ? undefined : Number(a.incident_id) }, firingAll, routing.inhibit, rootOf);
    return { incidents, suppressed };
  }

  private payload(
    id: string,
    key: string,
    receiver: string,
    groupLabels: Record<string, string>,
    firing: AlertRow[],
    resolved: AlertRow[],
    routing: RoutingConfig,
    incidents: { id: string; acknowledged_at: Date | null }[],
  ): NotificationPayload {
    const url = routing.externalUrl;
    const toAlert = (a: AlertRow, status: 'firing' | 'resolved'): NotifiedAlert => ({
      fingerprint: a.fingerprint,
      status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: (a.fired_at ?? a.active_at ?? new Date()).toISOString(),
      endsAt: status === 'resolved' ? (a.resolved_at ?? new Date()).toISOString() : undefined,
      incidentId: a.incident_id === null ? undefined : Number(a.incident_id),
      incidentUrl: a.incident_id === null ? undefined : `${url}/api/v1/incidents/${a.incident_id}`,
      flapping: a.flapping || undefined,
      flapCount: a.flapping ? a.flips.length : undefined,
    });
    const alerts = [...firing.map((a) => toAlert(a, 'firing')), ...resolved.map((a) => toAlert(a, 'resolved'))];
    const common = (pick: (a: NotifiedAlert) => Record<string, string | undefined>) => {
      const [first, ...rest] = alerts.map(pick);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(first ?? {})) if (v !== undefined && rest.every((r) => r[k] === v)) out[k] = v;
      return out;
    };
    const incidentId = alerts.find((a) => a.incidentId !== undefined && !incidents.find((i) => Number(i.id) === a.incidentId)?.acknowledged_at)?.incidentId ?? alerts.find((a) => a.incidentId !== undefined)?.incidentId;
    return {
      id,
      kind: 'alerts',
      receiver,
      status: firing.length ? 'firing' : 'resolved',
      groupKey: key,
      groupLabels,
      commonLabels: common((a) => a.labels),
      commonAnnotations: common((a) => ({ summary: a.annotations.summary, description: a.annotations.description })),
      alerts,
      externalUrl: url,
      incidentUrl: incidentId !== undefined ? `${url}/api/v1/incidents/${incidentId}` : undefined,
      ackUrl: incidentId !== undefined && routing.ackSecret ? `${url}/api/v1/ack/${signAck(routing.ackSecret, incidentId, Date.now() + routing.ackTtlMs)}` : undefined,
    };
  }

  async activeSilences(m: Q, now: number): Promise<SilenceRow[]> {
    return m.query('select id, matchers, starts_at, ends_at, created_by, comment from silences where expired_at is null and starts_at <= $1 and ends_at > $1', [ts(now)]);
  }
}
