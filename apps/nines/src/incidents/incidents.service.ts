import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { intervalOf } from '../../../../libs/config/src/config';
import { DrillRepository } from '../../../../libs/incidents/src/drill.repository';
import { IncidentQuery, type IncidentView } from '../../../../libs/incidents/src/incident.query';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import { CLOCK, CONFIG, DATA_SOURCE } from '../runtime/tokens';

const int = (raw: string, field: string) => {
  if (!/^\d{1,15}$/.test(raw)) throw new DomainError('bad_request', `${field} must be a positive integer`, { field, value: raw });
  return Number(raw);
};

const date = (raw: string | undefined, field: string) => {
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new DomainError('bad_request', `${field} must be an RFC 3339 time (e.g. 2026-11-22T09:00:00Z)`, { field, value: raw });
  return d;
};

const text = (v: unknown, field: string, max = 200): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > max) throw new DomainError('bad_request', `${field} must be a string of at most ${max} characters`, { field });
  return v;
};

/** Incidents, their timelines, acknowledgements and drills. */
@Injectable()
export class IncidentsService {
  private readonly query: IncidentQuery;
  private readonly repo: IncidentRepository;
  private readonly drills: DrillRepository;

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ConfigHolder,
  ) {
    this.query = new IncidentQuery(ds);
    this.repo = new IncidentRepository(ds);
    this.drills = new DrillRepository(ds);
  }

  async list(q: { state?: string; system?: string; since?: string; until?: string; limit?: string }) {
    if (q.state !== undefined && q.state !== 'open' && q.state !== 'resolved') throw new DomainError('bad_request', 'state must be open or resolved', { field: 'state', value: q.state });
    const limit = q.limit === undefined ? 100 : int(q.limit, 'limit');
    if (limit < 1 || limit > 1000) throw new DomainError('bad_request', 'limit must be between 1 and 1000', { field: 'limit' });
    const rows = await this.query.list({ state: q.state as 'open' | 'resolved' | undefined, system: q.system, since: date(q.since, 'since'), until: date(q.until, 'until'), limit });
    return { incidents: rows.map((r) => this.view(r)) };
  }

  async get(rawId: string) {
    const row = await this.query.get(int(rawId, 'id'));
    if (!row) throw new DomainError('not_found', `no incident ${rawId}`);
    return this.view(row);
  }

  async timeline(rawId: string) {
    const id = int(rawId, 'id');
    if (!(await this.query.get(id))) throw new DomainError('not_found', `no incident ${rawId}`);
    const entries = await this.repo.timeline(id);
    return { incident: id, timeline: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
  }

  async ack(rawId: string, body: unknown) {
    const id = int(rawId, 'id');
    const by = text((body as { by?: unknown } | undefined)?.by, 'by') ?? 'api';
    const r = await this.repo.acknowledge(id, by, this.clock.now(), (s, m) => this.intervalOf(s, m));
    if (r === 'missing') throw new DomainError('not_found', `no incident ${rawId}`);
    return { ...(await this.get(rawId)), already_acknowledged: r === 'already' };
  }

  async drill(body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const system = text(b.system, 'system');
    if (!system) throw new DomainError('bad_request', 'system is required', { field: 'system' });
    if (b.action !== 'start' && b.action !== 'stop') throw new DomainError('bad_request', 'action must be start or stop', { field: 'action' });
    const by = text(b.by, 'by') ?? 'api';
    return b.action === 'start' ? this.drills.start(system, by, text(b.note, 'note', 1000)) : this.drills.stop(system);
  }

  listDrills() {
    return this.drills.list().then((drills) => ({ drills }));
  }

  private intervalOf(system: string, member?: string): number | undefined {
    return intervalOf(this.config.get(), system, member);
  }

  private view(r: IncidentView) {
    return {
      id: r.id,
      state: r.state,
      severity: r.severity,
      title: r.title,
      root_system: r.root_system,
      systems: r.systems,
      drill: r.drill,
      failovers: r.failovers,
      opened_at: r.opened_at,
      first_failure_at: r.first_failure_at,
      detected_at: r.detected_at,
      acknowledged_at: r.acknowledged_at,
      acknowledged_by: r.acknowledged_by ?? undefined,
      resolved_at: r.resolved_at,
      measurements: r.measurements,
    };
  }
}
