import type { DataSource } from 'typeorm';
import { systemClock, type Clock } from '../../common/src/clock';
import { rowsOf } from '../../common/src/rows';
import { toDate } from '../../common/src/time';
import { alertFields, type AlertRowBase } from './alert-row';
import type { AlertStatus, Transition } from './alert';
import { AlertDispatcher } from './dispatch/dispatcher';
import type { RoutingConfig } from './routing-config';

export interface AlertRow extends AlertRowBase {
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
  return { ...alertFields(r), version: Number(r.version) };
}

/**
 * Alert state and history in PostgreSQL; groups and the outbox are the dispatch's (AlertDispatcher,
 * deciding through the pure stages in dispatch/). An alert's state change, its history row, its
 * groups and — when a group is due at once — the notification row are written in one transaction:
 * a crash can lose neither the change nor the notification, and cannot produce a notification for
 * a change that was rolled back.
 */
export class AlertRepository {
  private readonly dispatch: AlertDispatcher;

  /** The clock stamps what is written at send time (ack links expire a week after); `now` arguments are the evaluation's. */
  constructor(
    private readonly ds: DataSource,
    clock: Clock = systemClock,
  ) {
    this.dispatch = new AlertDispatcher(ds, clock);
  }

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
        const values = [s.fingerprint, scope, s.labels.alertname ?? '', s.labels, s.annotations, s.state, toDate(s.activeAt), toDate(s.firedAt), toDate(s.resolvedAt), s.incidentId ?? null, s.flapping, JSON.stringify(s.flips)];
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
            [s.fingerprint, toDate(now), t, s.labels.alertname ?? '', s.labels, s.annotations.summary, s.annotations.reason ?? null, s.incidentId ?? null],
          );
        }
        for (const key of await this.dispatch.join(m, s, transitions, routing, now)) touched.add(key);
      }
      const out: string[] = [];
      for (const key of touched) out.push(...(await this.dispatch.flushIfDue(m, key, routing, now)));
      return out;
    });
    // Committed: the statuses now stand at the versions written.
    for (const [s, v] of versions) s.version = v;
    return ids;
  }

  /** Flushes due groups (called by the dispatcher loop); each group is flushed by one replica. */
  async flushDue(routing: RoutingConfig, now: number, limit = 100): Promise<string[]> {
    return this.dispatch.flushDue(routing, now, limit);
  }

  /** Groups unacknowledged past their route's escalation delay get one notification to the next receiver. */
  async escalateDue(routing: RoutingConfig, now: number): Promise<string[]> {
    return this.dispatch.escalateDue(routing, now);
  }

  /** Escalation policies' pages due now (see Dispatcher.escalatePolicies). */
  async propagateAcks(routing: RoutingConfig, now: number): Promise<string[]> {
    return this.dispatch.propagateAcks(routing, now);
  }

  async escalatePolicies(routing: RoutingConfig, now: number, onCall: (schedule: string, at: number) => string | null): Promise<string[]> {
    return this.dispatch.escalatePolicies(routing, now, onCall);
  }
}
