import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { reasonFromError } from '../reasons';
import { redisUrl, safeDecode } from './fields';
import { parseInfo, parseKv, RespConnection, RespError, RespProtocolError } from './resp';

export const redisSchema = z.object({ url: redisUrl, tls_verify: z.boolean().default(true) }).strict();
export type RedisSpec = z.infer<typeof redisSchema>;

/** Reads role and replication state from INFO replication, the way an SRE would read it. */
export function interpretReplicationInfo(info: Record<string, string>): Observation {
  const role = info.role;
  if (role === 'master') {
    const masterOffset = Number(info.master_repl_offset ?? 0);
    const peers: PeerSeen[] = [];
    for (let i = 0; info[`slave${i}`] !== undefined; i++) {
      const s = parseKv(info[`slave${i}`]);
      const offset = Number(s.offset);
      peers.push({
        id: `${s.ip}:${s.port}`,
        role: 'replica',
        state: s.state,
        lagBytes: Number.isFinite(offset) ? Math.max(0, masterOffset - offset) : undefined,
        lagSeconds: s.lag !== undefined ? Number(s.lag) : undefined,
      });
    }
    return {
      up: true,
      role: 'primary',
      peers,
      details: { connected_replicas: Number(info.connected_slaves ?? peers.length), repl_offset: masterOffset, replid: info.master_replid },
    };
  }
  if (role === 'slave' || role === 'replica') {
    const linkUp = info.master_link_status === 'up';
    const lastIo = Number(info.master_last_io_seconds_ago);
    const obs: Observation = {
      up: true,
      role: 'replica',
      leader: info.master_host ? `${info.master_host}:${info.master_port}` : undefined,
      // The replica cannot tell its own lag: master_last_io_seconds_ago grows to the ping period
      // (10 s) on an idle master. Lag comes from the master's view (REPLCONF ACK every second).
      lagSeconds: undefined,
      details: {
        master_link_status: info.master_link_status,
        master_last_io_seconds_ago: Number.isFinite(lastIo) ? lastIo : undefined,
        repl_offset: Number(info.slave_repl_offset ?? info.master_repl_offset ?? 0),
        sync_in_progress: info.master_sync_in_progress === '1',
        link_down_since_seconds: info.master_link_down_since_seconds !== undefined ? Number(info.master_link_down_since_seconds) : undefined,
      },
    };
    if (!linkUp) obs.warning = `replication link to ${obs.leader ?? 'master'} is ${info.master_link_status ?? 'down'}`;
    return obs;
  }
  return { up: false, reason: role ? `unexpected role ${JSON.stringify(role)}` : 'INFO replication has no role field' };
}

export async function probeRedis(spec: RedisSpec, ctx: ProbeContext): Promise<Observation> {
  const u = new URL(spec.url);
  let conn: RespConnection | undefined;
  try {
    conn = await RespConnection.connect({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 6379),
      tls: u.protocol === 'rediss:',
      tlsVerify: spec.tls_verify,
      signal: ctx.signal,
    });
    const password = safeDecode(u.password);
    const user = safeDecode(u.username);
    let warning: string | undefined;
    if (password) {
      const r = await conn.command(...(user ? ['AUTH', user, password] : ['AUTH', password]));
      // Redis 6+ rejects a bare AUTH when the server has no password, yet serves the connection
      // anyway (and accepts AUTH default <anything>): that is a config mismatch, not an outage.
      if (r instanceof RespError && /without any password configured/i.test(r.message)) warning = 'the URL has a password but the server does not require one';
      else if (r instanceof RespError) return { up: false, reason: `authentication failed: ${r.message.replace(/^(WRONGPASS|ERR)\s*/, '')}` };
    }
    const db = u.pathname.replace(/^\//, '');
    if (db) {
      const r = await conn.command('SELECT', db);
      if (r instanceof RespError) return { up: false, reason: `SELECT ${db} failed: ${r.message}` };
    }
    const reply = await conn.command('INFO', 'replication');
    if (reply instanceof RespError) {
      if (/NOAUTH/.test(reply.message)) return { up: false, reason: 'authentication required (no password in url)' };
      if (/LOADING/.test(reply.message)) return { up: false, reason: 'Redis is loading its dataset' };
      return { up: false, reason: `INFO failed: ${reply.message}` };
    }
    if (typeof reply !== 'string') return { up: false, reason: 'INFO replication returned an unexpected reply type' };
    const obs = interpretReplicationInfo(parseInfo(reply));
    if (warning && obs.up) obs.warning ??= warning;
    return obs;
  } catch (err) {
    if (err instanceof RespProtocolError) return { up: false, reason: `protocol error: ${err.message}` };
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs) };
  } finally {
    conn?.close();
  }
}

export const redisDriver: ProbeDriver<RedisSpec> = {
  kind: 'redis',
  schema: redisSchema,
  secrets: (spec) => secretsOfUrl(spec.url),
  probe: probeRedis,
};
