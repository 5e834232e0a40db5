import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, Role } from '../observation';
import { reasonFromError } from '../reasons';
import { hostPort, httpUrl, parseHostPort } from './fields';
import { fetchText, joinUrl } from './http-request';
import { socketExchange } from './socket-exchange';

export const zookeeperSchema = z
  .object({
    /** Client port, asked with the four-letter words srvr and mntr. */
    address: hostPort.optional(),
    /** AdminServer base URL (http://host:8080 or …/commands), asked /commands/srvr and /commands/mntr. */
    admin_url: httpUrl.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.address === !s.admin_url) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'give exactly one of address (four-letter words) or admin_url (AdminServer)' });
  });
export type ZookeeperSpec = z.infer<typeof zookeeperSchema>;

const NOT_SERVING = /not currently serving requests/i;
const NOT_SERVING_REASON = 'not currently serving requests (no quorum, or a leader election is in progress)';
const WHITELIST = /^(\w+) is not executed because it is not in the whitelist/;

/** What either interface told us, normalized. */
export interface ZkView {
  mode: string;
  zxid?: bigint;
  version?: string;
  latency?: { min: number; avg: number; max: number };
  outstandingRequests?: number;
  connections?: number;
  nodeCount?: number;
  /** From mntr (leader only): followers in sync, learners connected, quorum size, pending syncs. */
  syncedFollowers?: number;
  syncedObservers?: number;
  learners?: number;
  pendingSyncs?: number;
  quorumSize?: number;
  peerState?: string;
  /** Why mntr is missing, when it is. */
  mntrUnavailable?: string;
}

const ROLE: Record<string, Role> = { leader: 'leader', follower: 'follower', observer: 'observer', standalone: 'standalone' };

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** "Key: value" lines of srvr. */
export function parseSrvr(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(': ');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 2).trim();
  }
  return out;
}

/** "zk_key\tvalue" lines of mntr. */
export function parseMntr(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf('\t');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A four-letter-word reply that is an answer about the server rather than data; undefined when it is data. */
function fourLetterRefusal(cmd: string, reply: string): string | undefined {
  const text = reply.trim();
  if (!text) return `protocol error: empty reply to ${cmd} (is this a ZooKeeper client port?)`;
  if (NOT_SERVING.test(text)) return NOT_SERVING_REASON;
  const w = WHITELIST.exec(text);
  if (w) return `${w[1]} is not in 4lw.commands.whitelist (add ${cmd === 'srvr' ? 'srvr,mntr' : cmd} there, or probe admin_url)`;
  return undefined;
}

/** srvr (and optionally mntr) text → view, or the reason there is none. */
export function viewFromFourLetterWords(srvr: string, mntr?: string): ZkView | { reason: string } {
  const refusal = fourLetterRefusal('srvr', srvr);
  if (refusal) return { reason: refusal };
  const s = parseSrvr(srvr);
  if (!s.Mode) return { reason: `protocol error: not a ZooKeeper srvr reply (starts with ${JSON.stringify(srvr.trim().slice(0, 24))})` };
  const [min, avg, max] = (s['Latency min/avg/max'] ?? '').split('/').map(Number);
  const view: ZkView = {
    mode: s.Mode,
    version: s['Zookeeper version']?.split(',')[0],
    zxid: /^0x[0-9a-f]+$/i.test(s.Zxid ?? '') ? BigInt(s.Zxid) : undefined,
    latency: [min, avg, max].every(Number.isFinite) ? { min, avg, max } : undefined,
    outstandingRequests: num(s.Outstanding),
    connections: num(s.Connections),
    nodeCount: num(s['Node count']),
  };
  if (mntr !== undefined) {
    const r = fourLetterRefusal('mntr', mntr);
    if (r) view.mntrUnavailable = r;
    else {
      const m = parseMntr(mntr);
      if (!m.zk_server_state) view.mntrUnavailable = 'protocol error: mntr reply has no zk_server_state';
      else {
        view.syncedFollowers = num(m.zk_synced_followers);
        view.syncedObservers = num(m.zk_synced_observers);
        view.learners = num(m.zk_learners);
        view.pendingSyncs = num(m.zk_pending_syncs);
        view.quorumSize = num(m.zk_quorum_size);
        view.peerState = m.zk_peer_state;
        view.outstandingRequests = num(m.zk_outstanding_requests) ?? view.outstandingRequests;
        const lat = { min: num(m.zk_min_latency), avg: num(m.zk_avg_latency), max: num(m.zk_max_latency) };
        if (lat.min !== undefined && lat.avg !== undefined && lat.max !== undefined) view.latency = lat as ZkView['latency'];
      }
    }
  }
  return view;
}

type Json = Record<string, unknown>;

/** AdminServer /commands/srvr and /commands/mntr JSON → view, or the reason there is none. */
export function viewFromAdmin(srvr: unknown, mntr?: unknown, mntrFailure?: string): ZkView | { reason: string } {
  if (!srvr || typeof srvr !== 'object') return { reason: 'protocol error: AdminServer srvr is not a JSON object' };
  const s = srvr as Json;
  if (typeof s.error === 'string' && s.error) return { reason: NOT_SERVING.test(s.error) ? NOT_SERVING_REASON : `AdminServer srvr: ${s.error}` };
  const st = s.server_stats as Json | undefined;
  if (!st || typeof st.server_state !== 'string') return { reason: 'protocol error: AdminServer srvr has no server_stats.server_state' };
  const zxid = st.last_processed_zxid;
  const view: ZkView = {
    mode: st.server_state,
    version: typeof s.version === 'string' ? s.version.split(',')[0] : undefined,
    zxid: typeof zxid === 'number' && Number.isSafeInteger(zxid) ? BigInt(zxid) : typeof zxid === 'string' && /^\d+$/.test(zxid) ? BigInt(zxid) : undefined,
    outstandingRequests: num(st.outstanding_requests),
    connections: num(st.num_alive_client_connections),
    nodeCount: num(s.node_count),
  };
  const lat = { min: num(st.min_latency), avg: num(st.avg_latency), max: num(st.max_latency) };
  if (lat.min !== undefined && lat.avg !== undefined && lat.max !== undefined) view.latency = lat as ZkView['latency'];
  if (mntrFailure) view.mntrUnavailable = mntrFailure;
  else if (mntr && typeof mntr === 'object') {
    const m = mntr as Json;
    if (typeof m.error === 'string' && m.error) view.mntrUnavailable = `AdminServer mntr: ${m.error}`;
    else {
      view.syncedFollowers = num(m.synced_followers);
      view.syncedObservers = num(m.synced_observers);
      view.learners = num(m.learners);
      view.pendingSyncs = num(m.pending_syncs);
      view.quorumSize = num(m.quorum_size);
      view.peerState = typeof m.peer_state === 'string' ? m.peer_state : undefined;
    }
  }
  return view;
}

/**
 * Role from the server's mode, epoch from the zxid's high 32 bits (it changes with every elected
 * leader). A leader whose followers are not all in sync, and a follower still syncing, warn.
 */
export function interpretZk(view: ZkView | { reason: string }): Observation {
  if ('reason' in view) return { up: false, reason: view.reason };
  const role: Role = ROLE[view.mode] ?? 'unknown';
  const details: Record<string, unknown> = {
    mode: view.mode,
    version: view.version,
    zxid: view.zxid !== undefined ? `0x${view.zxid.toString(16)}` : undefined,
    zxid_epoch: view.zxid !== undefined ? Number(view.zxid >> 32n) : undefined,
    zxid_counter: view.zxid !== undefined ? Number(view.zxid & 0xffffffffn) : undefined,
    latency_min_ms: view.latency?.min,
    latency_avg_ms: view.latency?.avg,
    latency_max_ms: view.latency?.max,
    outstanding_requests: view.outstandingRequests,
    connections: view.connections,
    node_count: view.nodeCount,
    synced_followers: view.syncedFollowers,
    synced_observers: view.syncedObservers,
    learners: view.learners,
    pending_syncs: view.pendingSyncs,
    quorum_size: view.quorumSize,
    peer_state: view.peerState,
    mntr_unavailable: view.mntrUnavailable,
  };
  for (const k of Object.keys(details)) if (details[k] === undefined) delete details[k];
  const obs: Observation = { up: true, role, epoch: view.zxid !== undefined ? String(view.zxid >> 32n) : undefined, details };
  const warnings: string[] = [];
  if (view.mode === 'read-only') warnings.push('read-only mode: partitioned from the quorum, serving reads only');
  else if (role === 'unknown') warnings.push(`unexpected mode ${JSON.stringify(view.mode)}`);
  if (role === 'leader' && view.syncedFollowers !== undefined && view.quorumSize !== undefined && view.syncedFollowers < view.quorumSize - 1) {
    warnings.push(`only ${view.syncedFollowers} of ${view.quorumSize - 1} followers in sync`);
  }
  if (role === 'leader' && view.pendingSyncs) warnings.push(`${view.pendingSyncs} syncs pending`);
  if ((role === 'follower' || role === 'observer') && view.peerState && !/broadcast/.test(view.peerState)) warnings.push(`peer state ${view.peerState}`);
  if (warnings.length) obs.warning = warnings.join('; ');
  return obs;
}

/** A four-letter word: connect, send, read until ZooKeeper closes the connection. */
function fourLetterWord(host: string, port: number, cmd: string, signal: AbortSignal): Promise<string> {
  return socketExchange({ host, port, request: cmd, end: 'close', encoding: 'utf8', maxLength: 1 << 20, signal });
}

async function probeFourLetterWords(address: string, ctx: ProbeContext): Promise<Observation> {
  const hp = parseHostPort(address)!;
  try {
    const [srvr, mntr] = await Promise.all([
      fourLetterWord(hp.host, hp.port, 'srvr', ctx.signal),
      // mntr is extra detail: its failure must not fail the probe.
      fourLetterWord(hp.host, hp.port, 'mntr', ctx.signal).catch((e) => `\u0000${reasonFromError(e, ctx.timeoutMs)}`),
    ]);
    const view = viewFromFourLetterWords(srvr, mntr.startsWith('\u0000') ? undefined : mntr);
    if (mntr.startsWith('\u0000') && !('reason' in view)) view.mntrUnavailable = `mntr: ${mntr.slice(1)}`;
    return interpretZk(view);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERESP') return { up: false, reason: 'protocol error: reply too large' };
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs) };
  }
}

/** The AdminServer base, whether the user gave http://h:8080, http://h:8080/ or http://h:8080/commands. */
export function adminCommandUrl(adminUrl: string, command: string): URL {
  const base = adminUrl.replace(/\/+$/, '').replace(/\/commands$/, '');
  return joinUrl(base, `/commands/${command}`);
}

async function probeAdmin(adminUrl: string, ctx: ProbeContext): Promise<Observation> {
  const [srvr, mntr] = await Promise.all([
    fetchText(adminCommandUrl(adminUrl, 'srvr'), ctx, 'AdminServer srvr', { headers: { accept: 'application/json' } }),
    fetchText(adminCommandUrl(adminUrl, 'mntr'), ctx, 'AdminServer mntr', { headers: { accept: 'application/json' } }),
  ]);
  if (!srvr.ok) return { up: false, reason: srvr.reason };
  let srvrJson: unknown;
  try {
    srvrJson = JSON.parse(srvr.text);
  } catch {
    return { up: false, reason: `protocol error: AdminServer srvr is not JSON (starts with ${JSON.stringify(srvr.text.trim().slice(0, 24))})` };
  }
  let mntrJson: unknown;
  let mntrFailure: string | undefined;
  if (!mntr.ok) mntrFailure = mntr.reason;
  else {
    try {
      mntrJson = JSON.parse(mntr.text);
    } catch {
      mntrFailure = 'AdminServer mntr: body is not valid JSON';
    }
  }
  return interpretZk(viewFromAdmin(srvrJson, mntrJson, mntrFailure));
}

export async function probeZookeeper(spec: ZookeeperSpec, ctx: ProbeContext): Promise<Observation> {
  if (spec.admin_url) return probeAdmin(spec.admin_url, ctx);
  return probeFourLetterWords(spec.address!, ctx);
}

export const zookeeperDriver: ProbeDriver<ZookeeperSpec> = {
  kind: 'zookeeper',
  schema: zookeeperSchema,
  secrets: (spec) => (spec.admin_url ? secretsOfUrl(spec.admin_url) : []),
  probe: probeZookeeper,
};
