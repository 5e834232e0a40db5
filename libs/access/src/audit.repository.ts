import type { DataSource } from 'typeorm';
import type { Caller } from './caller';

export interface AuditEntry {
  action: string;
  target?: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  at: string;
  actor: string;
  role: string;
  address: string | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

/** The action names the audit log uses, one per kind of state change. */
export const AUDIT_ACTIONS = [
  'silence.create',
  'silence.expire',
  'silence.extend',
  'incident.ack',
  'incident.note',
  'incident.resolve',
  'drill.start',
  'drill.stop',
  'config.reload',
  'slo.create',
  'slo.delete',
  'token.create',
  'token.revoke',
  'ingest.accepted',
  'escalation.page',
  'schedule.override.create',
  'schedule.override.delete',
  'person.create',
  'person.update',
  'person.delete',
  'schedule.create',
  'schedule.update',
  'schedule.delete',
  'escalation_policy.create',
  'escalation_policy.update',
  'escalation_policy.delete',
  'session.start',
  'session.end',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The append-only audit log (a database trigger refuses UPDATE and DELETE). */
export class AuditRepository {
  constructor(private readonly ds: DataSource) {}

  async record(caller: Caller, entry: AuditEntry & { action: AuditAction }): Promise<void> {
    await this.ds.query(`insert into audit_log (actor, role, address, action, target, before, after) values ($1, $2, $3, $4, $5, $6, $7)`, [
      caller.actor,
      caller.role,
      caller.address ?? null,
      entry.action,
      entry.target ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
    ]);
  }

  /** Newest first; `action` matches exactly or as a prefix ending in a dot (`silence.`). */
  async query(f: AuditFilter): Promise<AuditRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.actor) add('actor = ?', f.actor);
    if (f.action) f.action.endsWith('.') ? add('starts_with(action, ?)', f.action) : add('action = ?', f.action);
    if (f.since) add('at >= ?', f.since);
    if (f.until) add('at < ?', f.until);
    args.push(Math.min(f.limit ?? 500, 5000));
    const rows: (Omit<AuditRow, 'at'> & { at: Date })[] = await this.ds.query(
      `select at, actor, role, address, action, target, before, after from audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by at desc, id desc limit $${args.length}`,
      args,
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  }
}
