import type { DataSource, EntityManager } from 'typeorm';
import { toDate } from '../../common/src/time';
import { INCIDENT_LOCK_ID } from './incident.repository';

/** A location cut off from targets the others reach, as the locations report states it. */
export interface CutLocation {
  location: string;
  unreachable: string[];
  message: string;
}

/** A system two locations see with two different holders, as the locations report states it. */
export interface OutsideSplit {
  system: string;
  holders: Record<string, string[]>;
  message: string;
}

/** The events that open and close a split brain seen from outside, in the system's history. */
export const OUTSIDE_SPLIT_KINDS = ['split_brain_outside', 'split_brain_outside_resolved'] as const;

/** The pseudo root of a network incident: no system is at fault, a location's path is. */
export const networkRoot = (location: string) => `location:${location}`;

/**
 * Partitions as incidents (issue 17): one per cut location, "dc2 cannot reach 5 of its 6
 * targets …", opened once, resolved when the location reaches them again, each with its timeline.
 * A network incident names no system (its targets are in the timeline's details), so system
 * events never join it and no system's recovery resolves it. Serialised with the system
 * incidents' lock so two lease holders cannot open two for one cut.
 */
export class NetworkIncidentRepository {
  constructor(private readonly ds: DataSource) {}

  /** Opens what is newly cut and resolves what healed; returns location → id of its open incident, and what changed. */
  async reconcile(cut: readonly CutLocation[], now: number): Promise<{ open: Map<string, number>; touched: number[] }> {
    return this.ds.transaction(async (m) => {
      await m.query('select pg_advisory_xact_lock($1)', [INCIDENT_LOCK_ID]);
      const rows: { id: string; root_system: string }[] = await m.query(`select id, root_system from incidents where state = 'open' and root_system like 'location:%'`);
      const open = new Map(rows.map((r) => [r.root_system.slice('location:'.length), Number(r.id)]));
      const touched: number[] = [];
      const wanted = new Map(cut.map((c) => [c.location, c]));
      for (const c of cut) {
        if (open.has(c.location)) continue;
        const [row]: { id: string }[] = await m.query(
          `insert into incidents (state, severity, title, root_system, systems, opened_at, first_failure_at, detected_at)
           values ('open', 'major', $1, $2, '{}', $3, $3, $3) returning id`,
          [c.message, networkRoot(c.location), toDate(now)],
        );
        const id = Number(row.id);
        await timeline(m, id, now, 'detected', `network partition: ${c.message}`, { location: c.location, unreachable: c.unreachable });
        open.set(c.location, id);
        touched.push(id);
      }
      for (const [location, id] of [...open]) {
        if (wanted.has(location)) continue;
        await m.query(`update incidents set state = 'resolved', resolved_at = $2, updated_at = now() where id = $1`, [id, toDate(now)]);
        await timeline(m, id, now, 'resolved', `resolved: ${location} reaches its targets again`, { location });
        open.delete(location);
        touched.push(id);
      }
      return { open, touched };
    });
  }
}

/**
 * Split brain seen from outside as events of the system (its history and role timeline), once
 * when it starts and once when the locations agree again; joined to the system's open incident,
 * when there is one, with a line on its timeline. Serialised with the incidents' lock.
 */
export async function reconcileOutsideSplits(ds: DataSource, current: readonly OutsideSplit[], now: number): Promise<string[]> {
  return ds.transaction(async (m) => {
    await m.query('select pg_advisory_xact_lock($1)', [INCIDENT_LOCK_ID]);
    const last: { system: string; kind: string }[] = await m.query(
      `select distinct on (system) system, kind from events
        where kind in ('split_brain_outside', 'split_brain_outside_resolved') order by system, at desc, id desc`,
    );
    const open = new Set(last.filter((r) => r.kind === 'split_brain_outside').map((r) => r.system));
    const wanted = new Map(current.map((c) => [c.system, c]));
    const touched: string[] = [];
    const record = async (system: string, kind: (typeof OUTSIDE_SPLIT_KINDS)[number], message: string, details: Record<string, unknown>) => {
      const [inc]: { id: string }[] = await m.query(`select id from incidents where state = 'open' and $1 = any(systems) order by id desc limit 1`, [system]);
      const incidentId = inc ? Number(inc.id) : null;
      await m.query(
        `insert into events (at, system, member, kind, severity, bad, message, details, incident_id) values ($1, $2, null, $3, $4, $5, $6, $7, $8)`,
        [toDate(now), system, kind, kind === 'split_brain_outside' ? 'critical' : 'info', kind === 'split_brain_outside', message, JSON.stringify(details), incidentId],
      );
      if (incidentId !== null) await timeline(m, incidentId, now, kind, message, { ...details, system });
      touched.push(system);
    };
    for (const c of current) if (!open.has(c.system)) await record(c.system, 'split_brain_outside', c.message, { holders: c.holders });
    for (const system of open) if (!wanted.has(system)) await record(system, 'split_brain_outside_resolved', `${system}: every location sees the same holder again`, {});
    return touched;
  });
}

async function timeline(m: EntityManager, id: number, at: number, kind: string, message: string, details: Record<string, unknown>): Promise<void> {
  await m.query(`insert into incident_timeline (incident_id, at, kind, system, member, message, details) values ($1, $2, $3, null, null, $4, $5)`, [id, toDate(at), kind, message, JSON.stringify(details)]);
}
