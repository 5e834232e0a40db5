import { Client } from 'pg';
import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { reasonFromError } from '../reasons';
import { postgresUrl } from './fields';

export const postgresSchema = z.object({ url: postgresUrl }).strict();
export type PostgresSpec = z.infer<typeof postgresSchema>;

// One round trip for the role and the node's own view of replication.
const ROLE_QUERY = `
select pg_is_in_recovery() as in_recovery,
       case when pg_is_in_recovery() then pg_last_wal_receive_lsn()::text else pg_current_wal_lsn()::text end as lsn,
       case when pg_is_in_recovery() then pg_last_wal_replay_lsn()::text end as replay_lsn,
       case when pg_is_in_recovery() then pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 end as replay_bytes,
       case when pg_is_in_recovery() then extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end as replay_age_s,
       case when pg_is_in_recovery() then (select status || ' ' || coalesce(sender_host,'') || ':' || coalesce(sender_port::text,'') from pg_stat_wal_receiver limit 1) end as receiver,
       (select timeline_id from pg_control_checkpoint()) as timeline`;

const REPLICAS_QUERY = `
select coalesce(application_name, '') as name, coalesce(client_addr::text, 'local') as addr, state, sync_state,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 as replay_bytes,
       extract(epoch from replay_lag)::float8 as replay_lag_s,
       extract(epoch from write_lag)::float8 as write_lag_s,
       extract(epoch from flush_lag)::float8 as flush_lag_s
  from pg_stat_replication`;

export interface RoleRow {
  in_recovery: boolean;
  lsn: string | null;
  replay_lsn: string | null;
  replay_bytes: number | null;
  replay_age_s: number | null;
  receiver: string | null;
  timeline: number | null;
}

export interface ReplicaRow {
  name: string;
  addr: string;
  state: string;
  sync_state: string;
  replay_bytes: number | null;
  replay_lag_s: number | null;
  write_lag_s: number | null;
  flush_lag_s: number | null;
}

/**
 * Turns the role query into an observation. On a replica, the age of the last replayed
 * transaction overstates lag when the primary is idle, so when everything received has been
 * replayed the lag is zero.
 */
export function interpretPostgres(role: RoleRow, replicas: ReplicaRow[]): Observation {
  const epoch = role.timeline != null ? `timeline ${role.timeline}` : undefined;
  if (role.in_recovery) {
    const [status, sender] = (role.receiver ?? '').split(' ');
    // Replayed all it received only means caught up while still receiving: a replica cut off
    // from its primary has replayed everything too, and its lag is growing, not zero.
    const caughtUp = role.replay_bytes === 0 && status === 'streaming';
    const lagSeconds = caughtUp ? 0 : role.replay_age_s != null ? Math.max(0, role.replay_age_s) : undefined;
    const obs: Observation = {
      up: true,
      role: 'replica',
      epoch,
      leader: sender && sender !== ':' ? sender : undefined,
      lagSeconds,
      lagBytes: role.replay_bytes ?? undefined,
      details: { receive_lsn: role.lsn, replay_lsn: role.replay_lsn, wal_receiver: status || 'not running', timeline: role.timeline },
    };
    if (status !== 'streaming') obs.warning = `WAL receiver ${status || 'not running'}`;
    return obs;
  }
  const peers: PeerSeen[] = replicas.map((r) => ({
    id: r.name || r.addr,
    role: 'replica',
    state: r.state,
    lagBytes: r.replay_bytes ?? undefined,
    lagSeconds: r.replay_lag_s ?? 0,
    details: { addr: r.addr, sync_state: r.sync_state, write_lag_s: r.write_lag_s, flush_lag_s: r.flush_lag_s },
  }));
  return { up: true, role: 'primary', epoch, peers, details: { current_lsn: role.lsn, timeline: role.timeline, replicas: peers.length } };
}

export async function probePostgres(spec: PostgresSpec, ctx: ProbeContext): Promise<Observation> {
  const client = new Client({
    connectionString: spec.url,
    connectionTimeoutMillis: ctx.timeoutMs,
    query_timeout: ctx.timeoutMs,
    application_name: 'nines-probe',
  });
  client.on('error', () => undefined); // late socket errors after a timeout must not crash the process
  const onAbort = () => {
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const role = (await client.query<RoleRow>(ROLE_QUERY)).rows[0];
    const replicas = role.in_recovery ? [] : (await client.query<ReplicaRow>(REPLICAS_QUERY)).rows;
    return interpretPostgres(role, replicas);
  } catch (err) {
    if (ctx.signal.aborted) return { up: false, reason: reasonFromError(Object.assign(new Error('aborted'), { name: 'AbortError' }), ctx.timeoutMs) };
    const e = err as { code?: string; message?: string };
    if (e.code === '28P01' || e.code === '28000') return { up: false, reason: `authentication failed: ${e.message}` };
    // pg's own wording when a SCRAM server (the default since PostgreSQL 14) meets a URL without a password.
    if (/client password must be a (non-empty )?string/.test(e.message ?? '')) return { up: false, reason: 'authentication failed: the server asked for a password and the URL has none' };
    if (e.code === '3D000') return { up: false, reason: e.message ?? 'database does not exist' };
    if (e.code === '57P03') return { up: false, reason: 'database is starting up or shutting down' };
    if (e.code === '42501') return { up: false, reason: `permission denied for the role query: ${e.message}` };
    if (/timeout/i.test(e.message ?? '')) return { up: false, reason: reasonFromError(Object.assign(new Error('t'), { code: 'ETIMEDOUT' }), ctx.timeoutMs) };
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs) };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    client.end().catch(() => undefined);
  }
}

export const postgresDriver: ProbeDriver<PostgresSpec> = {
  kind: 'postgres',
  schema: postgresSchema,
  secrets: (spec) => secretsOfUrl(spec.url),
  probe: probePostgres,
};
