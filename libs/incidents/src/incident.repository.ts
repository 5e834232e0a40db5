import type { DataSource, EntityManager } from 'typeorm';
import { FAILOVER_KINDS, type Severity } from '../../topology/src/events';
import type { TopologyWrite } from '../../topology/src/commit';
import { TopologyRepository } from '../../topology/src/topology.repository';
import { decide, type OpenIncident, type SystemGraph } from './correlate';
import { measure } from './measure';
import { entriesFor, type TimelineEntry } from './timeline';
import { toDate, toMs } from '../../common/src/time';

export const INCIDENT_LOCK_ID = 7_297_297_010;
const REOPEN_WINDOW_MS = 5 * 60_000;
const SEVERITY_RANK: Record<Severity, number> = { critical: 3, major: 2, warning: 1, info: 0 };

/** A topology write, with what correlation needs to turn its events into incidents. */
export interface CommitInput extends TopologyWrite {
  graph: SystemGraph;
  hasEndpoint: (system: string) => boolean;
  intervalMs: (system: string, member?: string) => number | undefined;
}

export interface CommitResult {
  ok: boolean;
  version: number;
  incidents: number[];
}


interface IncidentRow {
  id: string;
  state: 'open' | 'resolved';
  severity: Severity;
  root_system: string;
  systems: string[];
  opened_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  drill: boolean;
}

/**
 * Commits one system's new topology and its events, and folds the events into incidents — in
 * one transaction. The topology row is compare-and-set on its version, so when two replicas
 * briefly both think they own a system only one of them records a transition; incident
 * assignment is serialised by an advisory lock so concurrent systems cannot open two incidents
 * for one story.
 */
export class IncidentRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly topologies = new TopologyRepository(ds),
  ) {}

  async commit(input: CommitInput): Promise<CommitResult> {
    return this.ds.transaction(async (m) => {
      const version = await this.topologies.compareAndSet(m, input);
      if (version === undefined) return { ok: false, version: input.expectedVersion, incidents: [] };
      const touched = new Set<number>();
      const healthChanged = input.healthy !== input.wasHealthy;
      if (!input.events.length && !(input.healthy && healthChanged)) return { ok: true, version, incidents: [] };

      await m.query('select pg_advisory_xact_lock($1)', [INCIDENT_LOCK_ID]);
      if (input.events.length) await this.fold(m, input, touched);
      if (input.healthy) await this.resolveHealthy(m, input, touched);
      for (const id of touched) await this.remeasure(m, id, input);
      return { ok: true, version, incidents: [...touched] };
    });
  }

  private async fold(m: EntityManager, input: CommitInput, touched: Set<number>): Promise<void> {
    const candidates: IncidentRow[] = await m.query(
      `select id, state, severity, root_system, systems, opened_at, acknowledged_at, resolved_at, drill from incidents
        where state = 'open' or resolved_at > $1`,
      [toDate(Math.min(...input.events.map((e) => e.at)) - REOPEN_WINDOW_MS)],
    );
    const drills: { system: string }[] = await m.query('select system from drills where ended_at is null');
    const inDrill = new Set(drills.map((d) => d.system));
    const milestones = new Map<number, Set<string>>();
    const milestonesOf = async (id: number) => {
      let s = milestones.get(id);
      if (!s) {
        const rows: { kind: string; to: string | null }[] = await m.query(`select kind, details->>'to' as to from incident_timeline where incident_id = $1`, [id]);
        s = new Set(rows.flatMap((r) => (r.kind === 'new_primary_elected' ? [r.kind, `${r.kind}:${r.to ?? ''}`] : [r.kind])));
        milestones.set(id, s);
      }
      return s;
    };
    const asOpen = (r: IncidentRow): OpenIncident => ({ id: Number(r.id), systems: r.systems, rootSystem: r.root_system, state: r.state, resolvedAt: toMs(r.resolved_at) });

    for (const e of input.events) {
      const drill = inDrill.has(e.system);
      // A drill's switchover and a real failure are separate stories: neither reopens the other.
      const d = decide(e, candidates.filter((c) => c.state === 'open' || c.drill === drill).map(asOpen), input.graph, REOPEN_WINDOW_MS);
      let incidentId: number | undefined;
      let entries: TimelineEntry[] = [];
      if (d.action === 'open') {
        const first = typeof e.details.first_failure_at === 'number' ? e.details.first_failure_at : e.at;
        const [row]: IncidentRow[] = await m.query(
          `insert into incidents (state, severity, title, root_system, systems, opened_at, first_failure_at, detected_at, drill, failovers)
           values ('open', $1, $2, $3, $4, $5, $6, $5, $7, $8)
           returning id, state, severity, root_system, systems, opened_at, acknowledged_at, resolved_at, drill`,
          [e.severity, e.message, e.system, [e.system], toDate(e.at), toDate(first), drill, FAILOVER_KINDS.has(e.kind) ? 1 : 0],
        );
        candidates.push(row);
        incidentId = Number(row.id);
        milestones.set(incidentId, new Set());
        entries = entriesFor(e, { milestones: await milestonesOf(incidentId), hasEndpoint: input.hasEndpoint, rootSystem: e.system }, { opening: true, joinedAs: 'cause' });
      } else if (d.action === 'join' || d.action === 'reopen') {
        incidentId = d.incidentId;
        const row = candidates.find((c) => Number(c.id) === incidentId)!;
        const ms0 = await milestonesOf(incidentId);
        if (d.action === 'reopen') {
          row.state = 'open';
          row.resolved_at = null;
          entries.push({ at: e.at, kind: 'reopened', system: e.system, member: e.member, message: `reopened: ${e.message}`, details: {} });
          ms0.delete('resolved');
        }
        if (!row.systems.includes(e.system)) row.systems = [...row.systems, e.system];
        let root = row.root_system;
        if (d.action === 'join' && d.newRoot) {
          root = d.newRoot;
          entries.push({ at: e.at, kind: 'root_cause_changed', system: root, message: `root cause is now ${root} (${e.message})`, details: { from: row.root_system } });
        }
        const severity = e.bad && SEVERITY_RANK[e.severity] > SEVERITY_RANK[row.severity] ? e.severity : row.severity;
        entries.push(...entriesFor(e, { milestones: ms0, hasEndpoint: input.hasEndpoint, rootSystem: root }, { opening: false, joinedAs: d.action === 'join' ? d.as : 'cause' }));
        await m.query(
          `update incidents set state = 'open', resolved_at = null, systems = $2, root_system = $3, severity = $4,
                  failovers = failovers + $5, drill = drill or $6, updated_at = now() where id = $1`,
          [incidentId, row.systems, root, severity, FAILOVER_KINDS.has(e.kind) ? 1 : 0, drill],
        );
        row.root_system = root;
        row.severity = severity;
      }
      await m.query(
        `insert into events (at, system, member, kind, severity, bad, message, details, incident_id, drill) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [toDate(e.at), e.system, e.member ?? null, e.kind, e.severity, e.bad, e.message, JSON.stringify(e.details), incidentId ?? null, drill],
      );
      if (incidentId !== undefined) {
        touched.add(incidentId);
        await this.appendTimeline(m, incidentId, entries);
      }
    }
  }

  private async appendTimeline(m: EntityManager, incidentId: number, entries: TimelineEntry[]): Promise<void> {
    if (!entries.length) return;
    await m.query(
      `insert into incident_timeline (incident_id, at, kind, system, member, message, details)
       select $1, to_timestamp(x.at / 1000.0), x.kind, x.system, x.member, x.message, x.details
         from jsonb_to_recordset($2::jsonb) as x(at float8, kind text, system text, member text, message text, details jsonb)`,
      [incidentId, JSON.stringify(entries.map((e) => ({ ...e, system: e.system ?? null, member: e.member ?? null })))],
    );
  }

  /** An incident resolves when every system in it is healthy again. */
  private async resolveHealthy(m: EntityManager, input: CommitInput, touched: Set<number>): Promise<void> {
    const open: { id: string; systems: string[] }[] = await m.query(`select id, systems from incidents where state = 'open' and $1 = any(systems)`, [input.system]);
    for (const inc of open) {
      const healthy = await this.topologies.healthOf(m, inc.systems);
      if (!inc.systems.every((s) => (s === input.system ? input.healthy : healthy.get(s) !== false))) continue;
      const at = Math.max(input.topology.updatedAt, ...input.events.map((e) => e.at));
      await m.query(`update incidents set state = 'resolved', resolved_at = $2, updated_at = now() where id = $1`, [inc.id, toDate(at)]);
      await this.appendTimeline(m, Number(inc.id), [{ at, kind: 'resolved', system: input.system, message: `resolved: ${inc.systems.join(', ')} healthy again`, details: {} }]);
      touched.add(Number(inc.id));
    }
  }

  async remeasure(m: EntityManager, id: number, input: Pick<CommitInput, 'intervalMs'>): Promise<void> {
    const [inc]: IncidentRow[] = await m.query('select id, state, severity, root_system, systems, opened_at, acknowledged_at, resolved_at, drill from incidents where id = $1', [id]);
    const timeline = await this.timeline(id, m);
    const result = measure(timeline, {
      openedAt: toMs(inc.opened_at)!,
      acknowledgedAt: toMs(inc.acknowledged_at),
      resolvedAt: toMs(inc.resolved_at),
      rootSystem: inc.root_system,
      intervalMs: input.intervalMs,
    });
    await m.query('update incidents set measurements = $2 where id = $1', [id, JSON.stringify(result)]);
  }

  async timeline(id: number, m: EntityManager | DataSource = this.ds): Promise<TimelineEntry[]> {
    const rows: { at: Date; kind: TimelineEntry['kind']; system: string | null; member: string | null; message: string; details: Record<string, unknown> }[] = await m.query(
      'select at, kind, system, member, message, details from incident_timeline where incident_id = $1 order by at, id',
      [id],
    );
    return rows.map((r) => ({ at: r.at.getTime(), kind: r.kind, system: r.system ?? undefined, member: r.member ?? undefined, message: r.message, details: r.details }));
  }

  /** A responder's note on the timeline (the timeline is append-only, so a note is never edited). */
  async addNote(id: number, by: string, text: string, at: number): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const rows: unknown[] = await m.query('select 1 from incidents where id = $1 for update', [id]);
      if (!rows.length) return false;
      await this.appendTimeline(m, id, [{ at, kind: 'note', message: text, details: { by } }]);
      await m.query('update incidents set updated_at = now() where id = $1', [id]);
      return true;
    });
  }

  /**
   * Resolved by a person (the systems may still be unhealthy: a known, accepted state). A new bad
   * event within the reopen window reopens it, as after an automatic resolution.
   */
  async resolveByHand(id: number, by: string, at: number, intervalMs: CommitInput['intervalMs']): Promise<'resolved' | 'already' | 'missing'> {
    return this.ds.transaction(async (m) => {
      await m.query('select pg_advisory_xact_lock($1)', [INCIDENT_LOCK_ID]);
      const rows: { state: string }[] = await m.query('select state from incidents where id = $1 for update', [id]);
      if (!rows.length) return 'missing';
      if (rows[0].state === 'resolved') return 'already';
      await m.query(`update incidents set state = 'resolved', resolved_at = $2, updated_at = now() where id = $1`, [id, toDate(at)]);
      await this.appendTimeline(m, id, [{ at, kind: 'resolved', message: `resolved by ${by}`, details: { by } }]);
      await this.remeasure(m, id, { intervalMs });
      return 'resolved';
    });
  }

  /** Acknowledges an open incident once; later acks are no-ops that return the first. */
  async acknowledge(id: number, by: string, at: number, intervalMs: CommitInput['intervalMs']): Promise<'acknowledged' | 'already' | 'missing'> {
    return this.ds.transaction(async (m) => {
      const rows: { acknowledged_at: Date | null }[] = await m.query('select acknowledged_at from incidents where id = $1 for update', [id]);
      if (!rows.length) return 'missing';
      if (rows[0].acknowledged_at) return 'already';
      await m.query('update incidents set acknowledged_at = $2, acknowledged_by = $3, updated_at = now() where id = $1', [id, toDate(at), by]);
      await this.appendTimeline(m, id, [{ at, kind: 'acknowledged', message: `acknowledged by ${by}`, details: { by } }]);
      await this.remeasure(m, id, { intervalMs });
      return 'acknowledged';
    });
  }
}
