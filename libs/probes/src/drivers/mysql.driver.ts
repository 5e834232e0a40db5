import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { reasonFromError } from '../reasons';
import { mysqlUrl, safeDecode } from './fields';

export const mysqlSchema = z.object({ url: mysqlUrl }).strict();
export type MysqlSpec = z.infer<typeof mysqlSchema>;

export type Row = Record<string, unknown>;

export interface MysqlServerVars {
  server_id: number | string | null;
  read_only: number | string | null;
  version: string | null;
  version_comment?: string | null;
}

export interface MysqlState {
  vars: MysqlServerVars;
  /** SHOW REPLICA STATUS rows (one per channel); empty when no replication is configured. */
  replicaRows: Row[];
  /** @@gtid_current_pos (MariaDB) or @@gtid_executed (MySQL), when readable. */
  gtid?: string;
  /** SHOW REPLICA HOSTS rows on a primary, or why they could not be read. */
  replicaHosts?: Row[] | { unavailable: string };
}

/** The first column present among MySQL 8.0.22+ names (Replica_…, Source_…) and the older ones. */
function col(row: Row, ...names: string[]): unknown {
  for (const n of names) if (row[n] !== undefined) return row[n];
  return undefined;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function numOrUndef(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Replication errors quote the failing statement, and a replicated CREATE USER or CHANGE MASTER
 * carries a password the config never knew about: mask those before the text goes anywhere.
 */
export function redactSqlSecrets(text: string): string {
  const quoted = `'(?:[^'\\\\]|\\\\.|'')*'|"(?:[^"\\\\]|\\\\.|"")*"`;
  return text
    .replace(new RegExp(`(IDENTIFIED\\s+(?:WITH\\s+\\S+\\s+)?(?:BY|AS)\\s+(?:PASSWORD\\s*\\(?\\s*)?)(${quoted})`, 'gi'), "$1'***'")
    .replace(new RegExp(`(PASSWORD\\s*\\(\\s*)(${quoted})`, 'gi'), "$1'***'")
    .replace(new RegExp(`((?:MASTER|SOURCE)_PASSWORD\\s*=\\s*)(${quoted})`, 'gi'), "$1'***'");
}

function short(text: string, max = 240): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function isTrue(v: unknown): boolean {
  return v === 1 || v === '1' || v === 'ON' || v === true;
}

/**
 * Role and replication health from the server's own view. A configured replication source makes
 * it a replica (whatever the state of its threads); without one it is the primary, unless it is
 * read-only, which is how a demoted primary or an orphaned replica looks: standalone, with a warning.
 */
export function interpretMysql(state: MysqlState): Observation {
  const { vars } = state;
  const readOnly = isTrue(vars.read_only);
  const base: Record<string, unknown> = {
    server_id: numOrUndef(vars.server_id),
    read_only: readOnly,
    version: vars.version ?? undefined,
    flavor: /mariadb/i.test(vars.version ?? '') ? 'mariadb' : 'mysql',
    gtid: state.gtid ? state.gtid.replace(/\s+/g, '') : undefined,
  };
  const channels = state.replicaRows.filter((r) => str(col(r, 'Source_Host', 'Master_Host')));
  if (channels.length) {
    const r = channels[0];
    const host = str(col(r, 'Source_Host', 'Master_Host'));
    const port = numOrUndef(col(r, 'Source_Port', 'Master_Port'));
    const source = port ? `${host}:${port}` : host!;
    const io = str(col(r, 'Replica_IO_Running', 'Slave_IO_Running')) ?? 'No';
    const sql = str(col(r, 'Replica_SQL_Running', 'Slave_SQL_Running')) ?? 'No';
    const behind = numOrUndef(col(r, 'Seconds_Behind_Source', 'Seconds_Behind_Master'));
    const ioError = str(r.Last_IO_Error) && redactSqlSecrets(String(r.Last_IO_Error));
    const sqlError = str(r.Last_SQL_Error) && redactSqlSecrets(String(r.Last_SQL_Error));
    const details: Record<string, unknown> = {
      ...base,
      source,
      source_server_id: numOrUndef(col(r, 'Source_Server_Id', 'Master_Server_Id')),
      io_running: io,
      sql_running: sql,
      seconds_behind: behind ?? null,
      io_state: str(col(r, 'Replica_IO_State', 'Slave_IO_State')),
      sql_state: str(col(r, 'Replica_SQL_Running_State', 'Slave_SQL_Running_State')),
      last_io_errno: numOrUndef(r.Last_IO_Errno) || undefined,
      last_io_error: ioError,
      last_sql_errno: numOrUndef(r.Last_SQL_Errno) || undefined,
      last_sql_error: sqlError,
      using_gtid: str(r.Using_Gtid),
      gtid_io_pos: str(r.Gtid_IO_Pos),
      retrieved_gtid_set: str(r.Retrieved_Gtid_Set)?.replace(/\s+/g, ''),
      executed_gtid_set: str(r.Executed_Gtid_Set)?.replace(/\s+/g, ''),
      sql_delay: numOrUndef(r.SQL_Delay) || undefined,
      channels: channels.length > 1 ? channels.length : undefined,
    };
    for (const k of Object.keys(details)) if (details[k] === undefined) delete details[k];
    const warnings: string[] = [];
    if (sql !== 'Yes') warnings.push(`replication broken: SQL thread stopped${sqlError ? ` (errno ${r.Last_SQL_Errno}: ${short(sqlError)})` : ''}`);
    if (io === 'Connecting') warnings.push(`IO thread cannot reach source ${source}${ioError ? `: ${short(ioError)}` : ''}`);
    else if (io !== 'Yes') warnings.push(`replication broken: IO thread stopped${ioError ? ` (errno ${r.Last_IO_Errno}: ${short(ioError)})` : ''}`);
    for (const other of channels.slice(1)) {
      const name = str(other.Channel_Name) ?? str(other.Connection_name) ?? '?';
      const oi = str(col(other, 'Replica_IO_Running', 'Slave_IO_Running'));
      const os = str(col(other, 'Replica_SQL_Running', 'Slave_SQL_Running'));
      if (oi !== 'Yes' || os !== 'Yes') warnings.push(`channel ${name}: IO ${oi ?? '?'}, SQL ${os ?? '?'}`);
    }
    const obs: Observation = { up: true, role: 'replica', leader: source, lagSeconds: behind, details };
    if (warnings.length) obs.warning = warnings.join('; ');
    return obs;
  }

  const peers: PeerSeen[] = [];
  if (Array.isArray(state.replicaHosts)) {
    for (const h of state.replicaHosts) {
      const id = numOrUndef(col(h, 'Server_Id', 'Server_id'));
      const host = str(h.Host);
      const port = numOrUndef(h.Port);
      peers.push({ id: host ? `${host}:${port ?? 3306}` : `server_id ${id}`, role: 'replica', details: { server_id: id } });
    }
  }
  const details: Record<string, unknown> = { ...base };
  if (Array.isArray(state.replicaHosts)) details.replicas_registered = peers.length;
  else if (state.replicaHosts) details.replica_hosts_unavailable = state.replicaHosts.unavailable;
  for (const k of Object.keys(details)) if (details[k] === undefined) delete details[k];
  if (readOnly) {
    return { up: true, role: 'standalone', peers, details, warning: 'read_only=1 but no replication configured (a demoted primary, or a replica that lost its source?)' };
  }
  return { up: true, role: 'primary', peers, details };
}

interface MysqlError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
  fatal?: boolean;
}

/** mysql2 errors → the short reasons on-call reads. */
export function reasonFromMysqlError(err: unknown, timeoutMs: number): string {
  const e = err as MysqlError;
  switch (e?.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return `authentication failed: ${e.sqlMessage ?? e.message}`;
    case 'ER_HOST_NOT_PRIVILEGED':
    case 'ER_HOST_IS_BLOCKED':
    case 'ER_BAD_DB_ERROR':
    case 'ER_CON_COUNT_ERROR':
    case 'ER_SERVER_SHUTDOWN':
      return e.sqlMessage ?? e.message ?? e.code;
    case 'PROTOCOL_CONNECTION_LOST':
      return 'connection closed by server';
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return 'server does not support TLS';
  }
  if (e?.code?.startsWith('PROTOCOL_') || e?.code === 'HANDSHAKE_UNKNOWN_ERROR' || /malformed|packets out of order|unexpected packet/i.test(e?.message ?? '')) {
    return `protocol error: ${e.message ?? e.code}`;
  }
  if (e?.errno && e.errno > 1000 && e.sqlMessage) return `${e.code}: ${e.sqlMessage}`;
  return reasonFromError(err, timeoutMs);
}

async function rows(conn: Connection, sql: string): Promise<Row[]> {
  const [r] = await conn.query<RowDataPacket[]>(sql);
  return r as Row[];
}

const PARSE_ERROR = 'ER_PARSE_ERROR';

export async function probeMysql(spec: MysqlSpec, ctx: ProbeContext): Promise<Observation> {
  const u = new URL(spec.url);
  let conn: Connection | undefined;
  let destroyed = false;
  const onAbort = () => {
    destroyed = true;
    conn?.destroy();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The connection object is created before the handshake; keep a handle so an abort can kill it.
    const pending = createConnection({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 3306),
      user: safeDecode(u.username) || undefined,
      password: safeDecode(u.password) || undefined,
      database: safeDecode(u.pathname.replace(/^\//, '')) || undefined,
      connectTimeout: ctx.timeoutMs,
      multipleStatements: false,
    });
    conn = await pending;
    if (destroyed) conn.destroy();
    conn.on('error', () => undefined); // a late socket error after the probe must not crash the process

    const vars = (await rows(conn, 'SELECT @@server_id AS server_id, @@read_only AS read_only, @@version AS version, @@version_comment AS version_comment'))[0] as unknown as MysqlServerVars;
    const mariadb = /mariadb/i.test(vars.version ?? '');
    let gtid: string | undefined;
    try {
      const g = await rows(conn, mariadb ? 'SELECT @@gtid_current_pos AS gtid' : 'SELECT @@gtid_executed AS gtid');
      gtid = str(g[0]?.gtid);
    } catch {
      /* GTIDs off or unknown variable: not a reason to fail the probe */
    }

    let replicaRows: Row[];
    try {
      replicaRows = await rows(conn, 'SHOW REPLICA STATUS');
    } catch (err) {
      const e = err as MysqlError;
      if (e.code === PARSE_ERROR) replicaRows = await rows(conn, 'SHOW SLAVE STATUS'); // MySQL < 8.0.22, MariaDB < 10.5.1
      else throw err;
    }

    let replicaHosts: MysqlState['replicaHosts'];
    if (!replicaRows.some((r) => str(col(r, 'Source_Host', 'Master_Host')))) {
      try {
        replicaHosts = await rows(conn, 'SHOW SLAVE HOSTS');
      } catch (err) {
        const e = err as MysqlError;
        if (e.code === PARSE_ERROR) {
          replicaHosts = await rows(conn, 'SHOW REPLICAS').catch((e2: MysqlError) => ({ unavailable: short(e2.sqlMessage ?? e2.message ?? 'error', 160) }));
        } else replicaHosts = { unavailable: short(e.sqlMessage ?? e.message ?? 'error', 160) };
      }
    }
    return interpretMysql({ vars, replicaRows, gtid, replicaHosts });
  } catch (err) {
    if (ctx.signal.aborted) return { up: false, reason: reasonFromError(Object.assign(new Error('aborted'), { name: 'AbortError' }), ctx.timeoutMs) };
    const e = err as MysqlError;
    if (e.code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR' || e.code === 'ER_SPECIFIC_ACCESS_DENIED' || e.code === 'ER_TABLEACCESS_DENIED_ERROR') {
      return { up: false, reason: `permission denied for SHOW REPLICA STATUS: grant REPLICATION CLIENT (MariaDB: SLAVE MONITOR) to the probe user (${short(e.sqlMessage ?? '', 120)})` };
    }
    return { up: false, reason: reasonFromMysqlError(err, ctx.timeoutMs) };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (conn) conn.end().catch(() => conn?.destroy());
  }
}

export const mysqlDriver: ProbeDriver<MysqlSpec> = {
  kind: 'mysql',
  schema: mysqlSchema,
  secrets: (spec) => secretsOfUrl(spec.url),
  probe: probeMysql,
};
