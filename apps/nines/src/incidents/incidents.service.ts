import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import { authenticated, type Caller } from '../../../../libs/access/src/caller';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { intervalOf } from '../../../../libs/config/src/config';
import { DrillRepository } from '../../../../libs/incidents/src/drill.repository';
import { IncidentQuery, type IncidentView } from '../../../../libs/incidents/src/incident.query';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import type { Publish } from '../../../../libs/live/src/change-feed';
import { CHANGE_FEED, CLOCK, CONFIG } from '../runtime/tokens';
import type { AckBody, DrillBody, IncidentListQuery, NoteBody, ResolveBody } from './incidents.schemas';

/** Incidents, their timelines, acknowledgements and drills. */
@Injectable()
export class IncidentsService {

  constructor(
    private readonly query: IncidentQuery,
    private readonly repo: IncidentRepository,
    private readonly drills: DrillRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    private readonly audit: AuditRepository,
    @Inject(CHANGE_FEED) private readonly changed: Publish,
  ) {}

  async list(q: IncidentListQuery) {
    const rows = await this.query.list({ state: q.state, system: q.system, since: q.since, until: q.until, limit: q.limit ?? 100 });
    return { incidents: rows.map((r) => this.view(r)) };
  }

  async get(id: number) {
    const row = await this.query.get(id);
    if (!row) throw new DomainError('not_found', `no incident ${id}`);
    return this.view(row);
  }

  async timeline(id: number) {
    if (!(await this.query.get(id))) throw new DomainError('not_found', `no incident ${id}`);
    const entries = await this.repo.timeline(id);
    return { incident: id, timeline: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
  }

  /** Acknowledged by the caller; `by` names someone only on an open (tokenless) deployment. */
  async ack(caller: Caller, id: number, body: AckBody) {
    const who = authenticated(caller) ? caller.actor : (body.by ?? 'api');
    const r = await this.repo.acknowledge(id, who, this.clock.now(), (s, m) => this.intervalOf(s, m));
    if (r === 'missing') throw new DomainError('not_found', `no incident ${id}`);
    const view = await this.get(id);
    if (r !== 'already') {
      await this.audit.record(caller, { action: 'incident.ack', target: String(id), before: { acknowledged_at: null }, after: { acknowledged_at: view.acknowledged_at, acknowledged_by: who } });
      this.changed({ kind: 'incident', id, at: this.clock.now() });
    }
    return { ...view, already_acknowledged: r === 'already' };
  }

  /** A note on the timeline, by the caller (or `by` on an open deployment). */
  async note(caller: Caller, id: number, body: NoteBody) {
    const who = authenticated(caller) ? caller.actor : (body.by ?? 'api');
    const at = this.clock.now();
    if (!(await this.repo.addNote(id, who, body.text, at))) throw new DomainError('not_found', `no incident ${id}`);
    await this.audit.record(caller, { action: 'incident.note', target: String(id), after: { text: body.text, by: who } });
    this.changed({ kind: 'incident', id, at });
    return { incident: id, at: new Date(at).toISOString(), by: who, text: body.text };
  }

  async resolve(caller: Caller, id: number, body: ResolveBody) {
    const who = authenticated(caller) ? caller.actor : (body.by ?? 'api');
    const at = this.clock.now();
    const r = await this.repo.resolveByHand(id, who, at, (s, m) => this.intervalOf(s, m));
    if (r === 'missing') throw new DomainError('not_found', `no incident ${id}`);
    const view = await this.get(id);
    if (r !== 'already') {
      await this.audit.record(caller, { action: 'incident.resolve', target: String(id), before: { state: 'open' }, after: { state: 'resolved', resolved_at: view.resolved_at, resolved_by: who } });
      this.changed({ kind: 'incident', id, at });
    }
    return { ...view, already_resolved: r === 'already' };
  }

  async drill(caller: Caller, b: DrillBody) {
    const who = authenticated(caller) ? caller.actor : (b.by ?? 'api');
    const row = b.action === 'start' ? await this.drills.start(b.system, who, b.note ?? undefined) : await this.drills.stop(b.system);
    await this.audit.record(caller, { action: b.action === 'start' ? 'drill.start' : 'drill.stop', target: b.system, after: row });
    return row;
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
