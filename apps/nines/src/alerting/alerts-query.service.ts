import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import { authenticated, type Caller } from '../../../../libs/access/src/caller';
import { verifyAck } from '../../../../libs/alerting/src/ack-token';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError, limitReached } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { intervalOf } from '../../../../libs/config/src/config';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import { NotificationRepository } from '../../../../libs/notify/src/notification.repository';
import { formatMatcher } from '../../../../libs/config/src/matchers';
import { isSilenceId, isSilenced, parseSilenceMatchers, validateSilence, wouldMute } from '../../../../libs/silences/src/silence';
import { routingFor } from '../../../../libs/alerting/src/routing-config';
import { explainRouting } from '../../../../libs/console/src/alert-routing';
import { parseTime } from '../../../../libs/common/src/time';
import { SilenceRepository } from '../../../../libs/silences/src/silence.repository';
import type { Publish } from '../../../../libs/live/src/change-feed';
import { CHANGE_FEED, CLOCK, CONFIG, DATA_SOURCE } from '../runtime/tokens';
import type { AlertsQuery, HistoryQuery, NotificationsQuery } from './alerts.schemas';


/** Alerts (current and history), silences, the notification log and signed acknowledgements. */
@Injectable()
export class AlertQueryService {

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    private readonly notifications: NotificationRepository,
    private readonly incidents: IncidentRepository,
    private readonly silenceRepo: SilenceRepository,
    private readonly audit: AuditRepository,
    @Inject(CHANGE_FEED) private readonly changed: Publish,
  ) {}

  async alerts(q: AlertsQuery) {
    const rows = await this.ds.query(
      `select fingerprint, labels, annotations, state, active_at, fired_at, resolved_at, incident_id::int, flapping, jsonb_array_length(flips) as flips_in_window
         from alerts where ($1::text is null or state = $1) and ($2::text is null or alertname = $2) and ($3::text is null or labels->>'system' = $3)
          and ($5::bigint is null or incident_id = $5)
        order by coalesce(fired_at, active_at, resolved_at) desc nulls last limit $4`,
      [q.state ?? null, q.alertname ?? null, q.system ?? null, q.limit, q.incident ?? null],
    );
    return { alerts: rows };
  }

  async history(q: HistoryQuery) {
    const rows = await this.ds.query(
      `select at, fingerprint, transition, alertname, labels, summary, reason, incident_id::int from alert_history
        where ($1::text is null or alertname = $1) and ($2::text is null or labels->>'system' = $2) and ($3::text is null or fingerprint = $3)
          and ($4::timestamptz is null or at >= $4) and ($5::timestamptz is null or at <= $5)
        order by at desc, id desc limit $6`,
      [q.alertname ?? null, q.system ?? null, q.fingerprint ?? null, q.since ?? null, q.until ?? null, q.limit],
    );
    return { history: rows };
  }

  async silences() {
    const rows = await this.silenceRepo.list();
    return { silences: rows.map((r) => ({ ...r, matchers: r.matchers.map(formatMatcher) })) };
  }

  /** A signed-in caller is the silence's author, whatever created_by the body claims. */
  async createSilence(caller: Caller, body: unknown) {
    const { limits } = this.config.get().raw;
    const asked = authenticated(caller) && body && typeof body === 'object' && !Array.isArray(body) ? { ...body, created_by: caller.actor } : body;
    const silence = validateSilence(asked, this.clock.now(), limits.labels);
    const r = await this.silenceRepo.create(silence, limits.open_silences);
    if ('open' in r) throw limitReached('open_silences', r.open, limits.open_silences, 'open silences', 'expire one (DELETE /api/v1/silences/:id) or raise limits.open_silences');
    await this.audit.record(caller, {
      action: 'silence.create',
      target: r.created.id,
      after: { ...r.created, matchers: silence.matchers.map(formatMatcher), created_by: silence.createdBy, comment: silence.comment },
    });
    this.changed({ kind: 'silences', at: this.clock.now() });
    return r.created;
  }

  async expireSilence(caller: Caller, id: string) {
    if (!isSilenceId(id)) throw new DomainError('bad_request', 'id must be a silence id (uuid)', { field: 'id' });
    const before = (await this.silenceRepo.list()).find((s) => s.id === id);
    if (!(await this.silenceRepo.expire(id))) throw new DomainError('not_found', `no active silence ${id}`);
    await this.audit.record(caller, {
      action: 'silence.expire',
      target: id,
      before: before && { ...before, matchers: before.matchers.map(formatMatcher) },
      after: { id, status: 'expired' },
    });
    this.changed({ kind: 'silences', at: this.clock.now() });
    return { id, status: 'expired' };
  }

  /** Alerts pending or firing now, with the routes they take (and why) and the silences muting them. */
  async activeAlerts() {
    const [rows, silences] = await Promise.all([this.active(), this.silenceRepo.active(this.clock.now())]);
    const routing = routingFor(this.config.get(), '');
    return {
      alerts: rows.map((a) => ({
        ...a,
        routing: explainRouting(routing.root, routing.routesById, a.labels),
        silenced_by: silences.filter((s) => isSilenced([s], a.labels)).map((s) => s.id),
      })),
    };
  }

  /**
   * Which current alerts a silence with these matchers would mute, before it is saved: parsed and
   * matched by the same code as the silence itself (validateSilence, isSilenced).
   */
  async previewSilence(texts: unknown) {
    const list = texts === undefined ? [] : Array.isArray(texts) ? texts : [texts];
    let matchers;
    try {
      matchers = parseSilenceMatchers(list, this.config.get().raw.limits.labels);
    } catch (err) {
      // Answered, not refused: saying what saving would refuse is the preview's job.
      if (err instanceof DomainError && err.code === 'bad_request') return { valid: false, problem: err.message, details: err.details, would_mute: [] };
      throw err;
    }
    const rows = await this.active();
    return { valid: true, matchers: matchers.map(formatMatcher), active_alerts: rows.length, would_mute: wouldMute(matchers, rows) };
  }

  async extendSilence(caller: Caller, id: string, body: unknown) {
    if (!isSilenceId(id)) throw new DomainError('bad_request', 'id must be a silence id (uuid)', { field: 'id' });
    const b = (body && typeof body === 'object' ? body : {}) as { ends_at?: unknown };
    const endsAt = typeof b.ends_at === 'string' ? parseTime(b.ends_at) : undefined;
    if (endsAt === undefined) throw new DomainError('bad_request', 'ends_at: must be an RFC 3339 time', { field: 'ends_at' });
    if (endsAt <= this.clock.now()) throw new DomainError('bad_request', 'ends_at: must be in the future (to end a silence now, expire it)', { field: 'ends_at' });
    const r = await this.silenceRepo.extend(id, endsAt);
    if (!r) throw new DomainError('not_found', `no open silence ${id}`);
    await this.audit.record(caller, { action: 'silence.extend', target: id, before: { ends_at: r.before.ends_at }, after: { ends_at: r.after.ends_at } });
    this.changed({ kind: 'silences', at: this.clock.now() });
    return r.after;
  }

  private active(): Promise<{ fingerprint: string; labels: Record<string, string>; annotations: Record<string, string>; state: string; active_at: Date | null; fired_at: Date | null; incident_id: number | null }[]> {
    return this.ds.query(
      `select fingerprint, labels, annotations, state, active_at, fired_at, incident_id::int from alerts where state in ('pending', 'firing') order by coalesce(fired_at, active_at) desc limit 5000`,
    );
  }

  async notificationLog(q: NotificationsQuery) {
    return { notifications: await this.notifications.list({ state: q.state, receiver: q.receiver, limit: q.limit }) };
  }

  /** Checks a signed ack link; acknowledging is a POST so that mail scanners fetching links ack nothing. */
  checkAck(token: string): number {
    const secret = this.config.get().raw.alerting.ack_secret;
    if (!secret) throw new DomainError('not_found', 'acknowledgement links are not enabled (set alerting.ack_secret)');
    const r = verifyAck(secret, token, this.clock.now());
    if (!r.ok) throw new DomainError(r.reason === 'expired' ? 'bad_request' : 'not_found', `this acknowledgement link is ${r.reason === 'expired' ? 'expired' : 'not valid'}`);
    return r.incidentId;
  }

  async ackByToken(caller: Caller, token: string, by: string | undefined) {
    const id = this.checkAck(token);
    const who = (by ?? 'ack link').slice(0, 200);
    const r = await this.incidents.acknowledge(id, who, this.clock.now(), (s, m) => intervalOf(this.config.get(), s, m));
    if (r === 'missing') throw new DomainError('not_found', `no incident ${id}`);
    // The link's signature is the authority; the name is what the person typed.
    if (r !== 'already') {
      await this.audit.record({ actor: who, role: 'ack-link', address: caller.address }, { action: 'incident.ack', target: String(id), after: { acknowledged_by: who, via: 'ack link' } });
      this.changed({ kind: 'incident', id, at: this.clock.now() });
    }
    return { incident: id, acknowledged: true, already_acknowledged: r === 'already' };
  }
}
