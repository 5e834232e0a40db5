import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { verifyAck } from '../../../../libs/alerting/src/ack-token';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import { rowsOf } from '../../../../libs/common/src/rows';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { intervalOf } from '../../../../libs/config/src/config';
import { parseMatcher, type Matcher } from '../../../../libs/config/src/matchers';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import { NotificationRepository } from '../../../../libs/notify/src/notification.repository';
import { CLOCK, CONFIG, DATA_SOURCE } from '../runtime/tokens';

const STATES = ['inactive', 'pending', 'firing', 'resolved'];
const N_STATES = ['pending', 'sending', 'sent', 'failed', 'dead'];

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 100;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) throw new DomainError('bad_request', 'limit must be between 1 and 1000', { field: 'limit' });
  return Number(raw);
}

function timeOf(raw: string | undefined, field: string): Date | undefined {
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new DomainError('bad_request', `${field} must be an RFC 3339 time`, { field });
  return d;
}

/** Alerts (current and history), silences, the notification log and signed acknowledgements. */
@Injectable()
export class AlertQueryService {
  private readonly notifications: NotificationRepository;
  private readonly incidents: IncidentRepository;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ConfigHolder,
  ) {
    this.notifications = new NotificationRepository(ds);
    this.incidents = new IncidentRepository(ds);
  }

  async alerts(q: Record<string, string | undefined>) {
    if (q.state !== undefined && !STATES.includes(q.state)) throw new DomainError('bad_request', `state must be one of ${STATES.join(', ')}`, { field: 'state' });
    const rows = await this.ds.query(
      `select fingerprint, labels, annotations, state, active_at, fired_at, resolved_at, incident_id::int, flapping, jsonb_array_length(flips) as flips_in_window
         from alerts where ($1::text is null or state = $1) and ($2::text is null or alertname = $2) and ($3::text is null or labels->>'system' = $3)
        order by coalesce(fired_at, active_at, resolved_at) desc nulls last limit $4`,
      [q.state ?? null, q.alertname ?? null, q.system ?? null, limitOf(q.limit)],
    );
    return { alerts: rows };
  }

  async history(q: Record<string, string | undefined>) {
    const rows = await this.ds.query(
      `select at, fingerprint, transition, alertname, labels, summary, reason, incident_id::int from alert_history
        where ($1::text is null or alertname = $1) and ($2::text is null or labels->>'system' = $2) and ($3::text is null or fingerprint = $3)
          and ($4::timestamptz is null or at >= $4) and ($5::timestamptz is null or at <= $5)
        order by at desc, id desc limit $6`,
      [q.alertname ?? null, q.system ?? null, q.fingerprint ?? null, timeOf(q.since, 'since') ?? null, timeOf(q.until, 'until') ?? null, limitOf(q.limit)],
    );
    return { history: rows };
  }

  async silences() {
    const rows = await this.ds.query(
      `select id, matchers, starts_at, ends_at, created_by, comment, created_at, expired_at,
              case when expired_at is not null or ends_at <= now() then 'expired' when starts_at > now() then 'pending' else 'active' end as status
         from silences order by created_at desc limit 500`,
    );
    return { silences: rows.map((r: { matchers: Matcher[] }) => ({ ...r, matchers: r.matchers.map((m) => `${m.name}${m.op}"${m.value}"`) })) };
  }

  async createSilence(body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const issues: { field: string; reason: string }[] = [];
    const matchers: Matcher[] = [];
    if (!Array.isArray(b.matchers) || !b.matchers.length) issues.push({ field: 'matchers', reason: 'needs at least one matcher like system="orders-db"' });
    else
      b.matchers.forEach((t, i) => {
        const m = typeof t === 'string' ? parseMatcher(t) : 'must be a string';
        if (typeof m === 'string') issues.push({ field: `matchers[${i}]`, reason: m });
        else matchers.push(m);
      });
    const now = this.clock.now();
    const startsAt = b.starts_at === undefined ? new Date(now) : new Date(String(b.starts_at));
    const endsAt = b.ends_at === undefined ? undefined : new Date(String(b.ends_at));
    if (Number.isNaN(startsAt.getTime())) issues.push({ field: 'starts_at', reason: 'must be an RFC 3339 time' });
    if (!endsAt || Number.isNaN(endsAt.getTime())) issues.push({ field: 'ends_at', reason: 'is required, an RFC 3339 time' });
    else if (endsAt <= startsAt) issues.push({ field: 'ends_at', reason: 'must be after starts_at' });
    if (typeof b.created_by !== 'string' || !b.created_by.trim()) issues.push({ field: 'created_by', reason: 'is required' });
    if (typeof b.comment !== 'string' || !b.comment.trim()) issues.push({ field: 'comment', reason: 'is required: say why' });
    if (issues.length) throw new DomainError('bad_request', issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues);
    if (matchers.every((m) => (m.op === '=~' && /^\.\*?$/.test(m.value)) || (m.op === '!=' && m.value === '')))
      throw new DomainError('bad_request', 'matchers would silence every alert', { field: 'matchers' });
    const [row] = await this.ds.query(
      'insert into silences (matchers, starts_at, ends_at, created_by, comment) values ($1, $2, $3, $4, $5) returning id, starts_at, ends_at',
      [JSON.stringify(matchers), startsAt, endsAt, (b.created_by as string).slice(0, 200), (b.comment as string).slice(0, 2000)],
    );
    return row;
  }

  async expireSilence(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new DomainError('bad_request', 'id must be a silence id (uuid)', { field: 'id' });
    const rows = rowsOf(await this.ds.query('update silences set expired_at = now() where id = $1 and expired_at is null returning id', [id]));
    if (!rows.length) throw new DomainError('not_found', `no active silence ${id}`);
    return { id, status: 'expired' };
  }

  async notificationLog(q: Record<string, string | undefined>) {
    if (q.state !== undefined && !N_STATES.includes(q.state)) throw new DomainError('bad_request', `state must be one of ${N_STATES.join(', ')}`, { field: 'state' });
    return { notifications: await this.notifications.list({ state: q.state, receiver: q.receiver, limit: limitOf(q.limit) }) };
  }

  /** Checks a signed ack link; acknowledging is a POST so that mail scanners fetching links ack nothing. */
  checkAck(token: string): number {
    const secret = this.config.get().raw.alerting.ack_secret;
    if (!secret) throw new DomainError('not_found', 'acknowledgement links are not enabled (set alerting.ack_secret)');
    const r = verifyAck(secret, token, this.clock.now());
    if (!r.ok) throw new DomainError(r.reason === 'expired' ? 'bad_request' : 'not_found', `this acknowledgement link is ${r.reason === 'expired' ? 'expired' : 'not valid'}`);
    return r.incidentId;
  }

  async ackByToken(token: string, by: string | undefined) {
    const id = this.checkAck(token);
    const r = await this.incidents.acknowledge(id, (by ?? 'ack link').slice(0, 200), this.clock.now(), (s, m) => intervalOf(this.config.get(), s, m));
    if (r === 'missing') throw new DomainError('not_found', `no incident ${id}`);
    return { incident: id, acknowledged: true, already_acknowledged: r === 'already' };
  }
}
