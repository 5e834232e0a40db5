import { z } from 'zod';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen, Role } from '../observation';
import { reasonFromError } from '../reasons';
import { hostPort, parseHostPort } from './fields';
import { parseInfo, RespConnection, RespError, RespProtocolError } from './resp';

export const redisClusterSchema = z
  .object({
    /** Seed nodes, tried in order; the first that answers describes the whole cluster. */
    nodes: z.array(hostPort).min(1, 'needs at least one node'),
    password: z.string().min(1).optional(),
  })
  .strict();
export type RedisClusterSpec = z.infer<typeof redisClusterSchema>;

const TOTAL_SLOTS = 16384;

export interface ClusterNode {
  id: string;
  /** host:port, or undefined for a node gossip knows no address of (noaddr). */
  address?: string;
  hostname?: string;
  flags: string[];
  masterId?: string;
  configEpoch: number;
  linkState: string;
  /** Slot ranges served, as "0-5460" or "42"; importing/migrating markers are left out. */
  slots: string[];
}

/**
 * Parses CLUSTER NODES: "<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv>
 * <config-epoch> <link-state> <slot> …". Unparseable lines are skipped, not guessed at.
 */
export function parseClusterNodes(text: string): ClusterNode[] {
  const out: ClusterNode[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^[0-9a-f]{40}$/i.test(f[0])) continue;
    const [addrPart, hostname] = f[1].split(',');
    const hp = addrPart.split('@')[0];
    const colon = hp.lastIndexOf(':');
    const ip = hp.slice(0, colon);
    const port = hp.slice(colon + 1);
    out.push({
      id: f[0],
      address: ip && port && port !== '0' ? `${ip}:${port}` : undefined,
      hostname: hostname || undefined,
      flags: f[2].split(',').filter((x) => x && x !== 'noflags'),
      masterId: f[3] !== '-' ? f[3] : undefined,
      configEpoch: Number(f[6]),
      linkState: f[7],
      slots: f.slice(8).filter((s) => !s.startsWith('[')),
    });
  }
  return out;
}

function label(n: ClusterNode): string {
  return n.address ?? `node ${n.id.slice(0, 8)} (no address)`;
}

function roleOf(n: ClusterNode): Role {
  if (n.flags.includes('master')) return 'primary';
  if (n.flags.includes('slave') || n.flags.includes('replica')) return 'replica';
  return 'unknown';
}

/** The worst thing about a node, as one word: fail, pfail, handshake, noaddr, or its link state. */
function nodeState(n: ClusterNode): string {
  if (n.flags.includes('fail')) return 'fail';
  if (n.flags.includes('fail?')) return 'pfail';
  if (n.flags.includes('handshake')) return 'handshake';
  if (n.flags.includes('noaddr')) return 'noaddr';
  return n.linkState;
}

function rangeStart(r: string): number {
  return Number(r.split('-')[0]);
}

export interface SeedFailure {
  address: string;
  reason: string;
}

/**
 * One node's view of the cluster: up when cluster_state is ok; peers are every node with its
 * role and worst flag; slot_masters maps each slot range to its master and that master's replicas.
 */
export function interpretCluster(infoText: string, nodesText: string, answeredBy?: string, unreachable: SeedFailure[] = []): Observation {
  const info = parseInfo(infoText);
  const nodes = parseClusterNodes(nodesText);
  if (!info.cluster_state) return { up: false, reason: 'protocol error: CLUSTER INFO has no cluster_state' };
  if (!nodes.length) return { up: false, reason: 'protocol error: CLUSTER NODES lists no node' };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const replicasOf = (m: ClusterNode) => nodes.filter((n) => n.masterId === m.id);

  const slotMasters: { range: string; master: string; replicas: string[] }[] = [];
  for (const m of nodes) {
    for (const range of m.slots) slotMasters.push({ range, master: label(m), replicas: replicasOf(m).map(label) });
  }
  slotMasters.sort((a, b) => rangeStart(a.range) - rangeStart(b.range));

  const peers: PeerSeen[] = nodes.map((n) => ({
    id: label(n),
    role: roleOf(n),
    state: nodeState(n),
    details: {
      node_id: n.id,
      flags: n.flags.join(','),
      master: n.masterId ? (byId.has(n.masterId) ? label(byId.get(n.masterId)!) : n.masterId) : undefined,
      slots: n.slots.length ? n.slots : undefined,
      config_epoch: n.configEpoch,
      link_state: n.linkState,
      hostname: n.hostname,
      myself: n.flags.includes('myself') || undefined,
    },
  }));

  const num = (k: string) => (info[k] !== undefined && info[k] !== '' ? Number(info[k]) : undefined);
  const details: Record<string, unknown> = {
    cluster_state: info.cluster_state,
    slots_assigned: num('cluster_slots_assigned'),
    slots_ok: num('cluster_slots_ok'),
    slots_pfail: num('cluster_slots_pfail'),
    slots_fail: num('cluster_slots_fail'),
    known_nodes: num('cluster_known_nodes'),
    cluster_size: num('cluster_size'),
    current_epoch: num('cluster_current_epoch'),
    answered_by: answeredBy,
    masters: nodes.filter((n) => roleOf(n) === 'primary').length,
    replicas: nodes.filter((n) => roleOf(n) === 'replica').length,
    slot_masters: slotMasters,
  };
  if (unreachable.length) details.unreachable_seeds = unreachable;
  const epoch = info.cluster_current_epoch;
  const obs: Observation = { up: info.cluster_state === 'ok', epoch, peers, details };

  if (!obs.up) {
    const why: string[] = [];
    const fail = num('cluster_slots_fail') ?? 0;
    const pfail = num('cluster_slots_pfail') ?? 0;
    const assigned = num('cluster_slots_assigned');
    if (fail) why.push(`${fail} slots fail`);
    if (pfail) why.push(`${pfail} slots pfail`);
    if (assigned !== undefined && assigned < TOTAL_SLOTS) why.push(`${assigned} of ${TOTAL_SLOTS} slots assigned`);
    obs.reason = `cluster_state is ${info.cluster_state}${why.length ? ` (${why.join(', ')})` : ''}`;
  }

  const warnings: string[] = [];
  for (const n of nodes) {
    const s = nodeState(n);
    if (s === 'fail' || s === 'pfail' || s === 'handshake' || s === 'noaddr') {
      warnings.push(`${roleOf(n) === 'primary' ? 'master' : roleOf(n) === 'replica' ? 'replica' : 'node'} ${label(n)} is ${s}`);
    }
  }
  for (const m of nodes) {
    if (!m.slots.length || nodeState(m) === 'fail') continue;
    const reps = replicasOf(m);
    if (!reps.length) warnings.push(`master ${label(m)} has no replica`);
    else if (!reps.some((r) => nodeState(r) === 'connected')) warnings.push(`master ${label(m)} has no healthy replica`);
  }
  for (const u of unreachable) warnings.push(`seed ${u.address} unreachable: ${u.reason}`);
  if (warnings.length) obs.warning = warnings.join('; ');
  return obs;
}

class NodeFailure extends Error {}

async function askNode(address: string, spec: RedisClusterSpec, signal: AbortSignal): Promise<{ info: string; nodes: string }> {
  const hp = parseHostPort(address)!;
  const conn = await RespConnection.connect({ host: hp.host, port: hp.port, signal });
  try {
    if (spec.password) {
      const r = await conn.command('AUTH', spec.password);
      if (r instanceof RespError) throw new NodeFailure(`authentication failed: ${r.message.replace(/^(WRONGPASS|ERR)\s*/, '')}`);
    }
    const [info, nodes] = await Promise.all([conn.command('CLUSTER', 'INFO'), conn.command('CLUSTER', 'NODES')]);
    for (const r of [info, nodes]) {
      if (r instanceof RespError) {
        if (/NOAUTH/.test(r.message)) throw new NodeFailure('authentication required (set password)');
        if (/cluster support disabled/i.test(r.message)) throw new NodeFailure('not a cluster node (cluster support disabled)');
        if (/LOADING/.test(r.message)) throw new NodeFailure('Redis is loading its dataset');
        throw new NodeFailure(`CLUSTER command failed: ${r.message}`);
      }
    }
    if (typeof info !== 'string' || typeof nodes !== 'string') throw new NodeFailure('protocol error: CLUSTER INFO/NODES returned an unexpected reply type');
    return { info, nodes };
  } finally {
    conn.close();
  }
}

export async function probeRedisCluster(spec: RedisClusterSpec, ctx: ProbeContext): Promise<Observation> {
  // A blackholed seed must not eat the whole budget: each try gets a share of it.
  const perNodeMs = Math.max(300, Math.floor(ctx.timeoutMs * (spec.nodes.length > 1 ? 0.45 : 0.9)));
  const failures: SeedFailure[] = [];
  for (const address of spec.nodes) {
    if (ctx.signal.aborted) break;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), perNodeMs);
    const onParent = () => ac.abort();
    ctx.signal.addEventListener('abort', onParent, { once: true });
    try {
      const r = await askNode(address, spec, ac.signal);
      return interpretCluster(r.info, r.nodes, address, failures);
    } catch (err) {
      const reason =
        err instanceof NodeFailure ? err.message : err instanceof RespProtocolError ? `protocol error: ${err.message}` : reasonFromError(err, perNodeMs);
      failures.push({ address, reason });
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onParent);
    }
  }
  const reasons = [...new Set(failures.map((f) => f.reason))];
  if (!failures.length) return { up: false, reason: reasonFromError(Object.assign(new Error('aborted'), { name: 'AbortError' }), ctx.timeoutMs) };
  return {
    up: false,
    reason: reasons.length === 1 ? `no node answered: ${reasons[0]}` : `no node answered (${failures.map((f) => `${f.address}: ${f.reason}`).join('; ')})`,
    details: { unreachable_seeds: failures },
  };
}

export const redisClusterDriver: ProbeDriver<RedisClusterSpec> = {
  kind: 'redis-cluster',
  schema: redisClusterSchema,
  secrets: (spec) => (spec.password ? [spec.password] : []),
  probe: probeRedisCluster,
};
