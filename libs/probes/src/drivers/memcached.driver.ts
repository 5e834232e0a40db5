import { z } from 'zod';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { reasonFromError } from '../reasons';
import { hostPort, parseHostPort } from './fields';
import { socketExchange } from './socket-exchange';

export const memcachedSchema = z.object({ address: hostPort }).strict();
export type MemcachedSpec = z.infer<typeof memcachedSchema>;

const MAX_REPLY = 256 * 1024;

/**
 * A `stats` reply is complete at END or at an error line; a reply that cannot be memcached's (its
 * first bytes already say so) is complete at once, so garbage fails fast instead of timing out.
 */
export function statsReplyComplete(text: string): boolean {
  const head = text.slice(0, 5);
  if (head.length === 5 && !['STAT ', 'ERROR', 'SERVE', 'CLIEN', 'END\r\n'].includes(head)) return true;
  return /(^|\r\n)END\r\n$/.test(text) || /(^|\r\n)(ERROR[^\r\n]*|CLIENT_ERROR[^\r\n]*|SERVER_ERROR[^\r\n]*)\r\n$/.test(text);
}

const NUMERIC = ['uptime', 'curr_connections', 'max_connections', 'total_connections', 'rejected_connections', 'evictions', 'get_hits', 'get_misses', 'curr_items', 'bytes', 'limit_maxbytes', 'threads'];

/** Reads the text protocol's `stats` reply ("STAT name value" lines, then END). */
export function interpretMemcachedStats(text: string): Observation {
  const lines = text.split('\r\n').filter((l) => l !== '');
  const first = lines[0] ?? '';
  if (first === 'END') return { up: false, reason: 'protocol error: empty stats reply' };
  if (first === 'ERROR') return { up: false, reason: 'protocol error: server answered ERROR to stats' };
  // memcached at its connection limit says so and hangs up.
  if (first.startsWith('ERROR ')) return { up: false, reason: `server error: ${first.slice(6).trim()}` };
  if (first.startsWith('SERVER_ERROR')) return { up: false, reason: `server error: ${first.slice(13).trim() || 'unknown'}` };
  if (first.startsWith('CLIENT_ERROR')) return { up: false, reason: `protocol error: ${first}` };
  if (!first.startsWith('STAT ')) {
    return { up: false, reason: `protocol error: not a memcached reply (starts with ${JSON.stringify(first.slice(0, 24))})` };
  }
  const stats: Record<string, string> = {};
  for (const l of lines) {
    if (l === 'END') break;
    const m = /^STAT (\S+) (.*)$/.exec(l);
    if (!m) return { up: false, reason: `protocol error: unexpected line ${JSON.stringify(l.slice(0, 40))}` };
    stats[m[1]] = m[2];
  }
  const details: Record<string, unknown> = { version: stats.version };
  for (const k of NUMERIC) if (stats[k] !== undefined && /^\d+$/.test(stats[k])) details[k] = Number(stats[k]);
  const hits = Number(details.get_hits ?? 0);
  const misses = Number(details.get_misses ?? 0);
  if (hits + misses > 0) details.hit_ratio = +(hits / (hits + misses)).toFixed(4);
  const obs: Observation = { up: true, details };
  if (stats.accepting_conns === '0') obs.warning = `not accepting new connections (${details.curr_connections ?? '?'} of max ${details.max_connections ?? '?'} in use)`;
  return obs;
}

export async function probeMemcached(spec: MemcachedSpec, ctx: ProbeContext): Promise<Observation> {
  const hp = parseHostPort(spec.address)!;
  try {
    const reply = await socketExchange({ host: hp.host, port: hp.port, request: 'stats\r\n', end: statsReplyComplete, encoding: 'latin1', maxLength: MAX_REPLY, signal: ctx.signal });
    if (!statsReplyComplete(reply) && reply.startsWith('STAT ')) return { up: false, reason: 'protocol error: stats reply cut short' };
    return interpretMemcachedStats(reply);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERESP') return { up: false, reason: 'protocol error: reply too large' };
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs) };
  }
}

export const memcachedDriver: ProbeDriver<MemcachedSpec> = {
  kind: 'memcached',
  schema: memcachedSchema,
  probe: probeMemcached,
};
