import * as amqp from 'amqplib';
import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { reasonFromError } from '../reasons';
import { httpUrl, urlWithSchemes } from './fields';
import { fetchText, joinUrl } from './http-request';

export const rabbitmqSchema = z
  .object({
    /** amqp://user:pass@host:5672/vhost (amqps:// for TLS); the password is a secret. */
    url: urlWithSchemes(['amqp', 'amqps']),
    /** Optional management API (http://host:15672); without credentials the AMQP ones are used. */
    management_url: httpUrl.optional(),
    tls_verify: z.boolean().default(true),
  })
  .strict();
export type RabbitmqSpec = z.infer<typeof rabbitmqSchema>;

export interface MgmtNode {
  name: string;
  type?: string;
  running?: boolean;
  partitions?: string[];
  mem_alarm?: boolean;
  disk_free_alarm?: boolean;
  mem_used?: number;
  mem_limit?: number;
  disk_free?: number;
  disk_free_limit?: number;
  fd_used?: number;
  fd_total?: number;
  uptime?: number;
  being_drained?: boolean;
}

export interface MgmtQueue {
  name: string;
  vhost?: string;
  type?: string;
  state?: string;
  node?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

export interface ManagementView {
  healthcheck?: { status?: string; reason?: string } | { error: string };
  nodes?: MgmtNode[] | { error: string };
  queues?: MgmtQueue[] | { error: string };
}

const isError = (v: unknown): v is { error: string } => !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { error?: unknown }).error === 'string' && Object.keys(v).length === 1;

/** Cluster view from the management API: alarms, partitions and stopped nodes become a warning. */
export function interpretManagement(view: ManagementView): Pick<Observation, 'peers' | 'warning' | 'details'> {
  const problems: string[] = [];
  const details: Record<string, unknown> = {};
  let peers: PeerSeen[] | undefined;
  const hc = view.healthcheck;
  if (hc && isError(hc)) problems.push(hc.error);
  else if (hc && hc.status !== 'ok') problems.push(`node health check ${hc.status ?? 'failed'}${hc.reason ? `: ${hc.reason}` : ''}`);
  if (view.nodes && isError(view.nodes)) problems.push(view.nodes.error);
  else if (view.nodes) {
    peers = view.nodes.map((n) => ({
      id: n.name,
      state: n.running === false ? 'stopped' : 'running',
      details: {
        type: n.type,
        mem_alarm: n.mem_alarm ?? false,
        disk_free_alarm: n.disk_free_alarm ?? false,
        partitions: n.partitions ?? [],
        mem_used: n.mem_used,
        mem_limit: n.mem_limit,
        disk_free: n.disk_free,
        disk_free_limit: n.disk_free_limit,
        fd_used: n.fd_used,
        fd_total: n.fd_total,
        uptime_ms: n.uptime,
      },
    }));
    for (const n of view.nodes) {
      if (n.running === false) problems.push(`node ${n.name} not running`);
      if (n.mem_alarm) problems.push(`memory alarm on ${n.name}`);
      if (n.disk_free_alarm) problems.push(`disk alarm on ${n.name}`);
      if (n.partitions?.length) problems.push(`network partition: ${n.name} cannot see ${n.partitions.join(', ')}`);
    }
    details.nodes_running = view.nodes.filter((n) => n.running !== false).length;
    details.nodes_total = view.nodes.length;
  }
  if (view.queues && isError(view.queues)) problems.push(view.queues.error);
  else if (view.queues) {
    const qs = view.queues;
    const bad = qs.filter((q) => q.state && q.state !== 'running' && q.state !== 'idle');
    for (const q of bad.slice(0, 5)) problems.push(`queue ${q.vhost ?? '/'}/${q.name} is ${q.state}`);
    details.queues = {
      count: qs.length,
      messages: qs.reduce((a, q) => a + (q.messages ?? 0), 0),
      without_consumers: qs.filter((q) => (q.consumers ?? 0) === 0).length,
      top: [...qs]
        .sort((a, b) => (b.messages ?? 0) - (a.messages ?? 0))
        .slice(0, 5)
        .map((q) => ({ name: q.name, vhost: q.vhost, messages: q.messages ?? 0, consumers: q.consumers ?? 0, state: q.state })),
    };
  }
  return { peers, details, warning: problems.length ? problems.join('; ') : undefined };
}

/** Short reasons for what amqplib throws during the handshake. */
export function amqpReason(err: unknown, timeoutMs: number, vhost = '/'): string {
  const msg = (err as Error)?.message ?? '';
  if (/ACCESS[-_]REFUSED|403/.test(msg)) return 'authentication failed (ACCESS_REFUSED)';
  // The broker closes the connection instead of opening the vhost: it is missing or forbidden.
  if (/NOT[-_]ALLOWED|530|Expected ConnectionOpenOk; got <ConnectionClose/.test(msg)) return `vhost not allowed: ${vhost} (missing, or no permission for this user)`;
  if (/Expected AMQP|Invalid frame|Unexpected/i.test(msg)) return 'not an AMQP 0-9-1 server';
  if (/socket closed|Socket closed abruptly/i.test(msg)) return 'connection closed during the AMQP handshake';
  return reasonFromError(err, timeoutMs);
}

function vhostOf(url: string): string {
  const p = new URL(url).pathname.replace(/^\//, '');
  return p ? decodeURIComponent(p) : '/';
}

async function management(spec: RabbitmqSpec, ctx: ProbeContext): Promise<ManagementView> {
  const base = new URL(spec.management_url!);
  if (!base.username) {
    const amqpUrl = new URL(spec.url);
    base.username = amqpUrl.username || 'guest';
    base.password = amqpUrl.password || 'guest';
  }
  const get = async (path: string, what: string) => {
    const r = await fetchText(joinUrl(base.toString(), path), ctx, what, { tlsVerify: spec.tls_verify, headers: { accept: 'application/json' } });
    // /api/healthchecks/node is gone from newer RabbitMQ: a 404 there means "not offered".
    if (!r.ok) return r.status === 404 && path.startsWith('/api/healthchecks') ? undefined : { error: r.reason };
    try {
      return JSON.parse(r.text) as unknown;
    } catch {
      return { error: `${what}: body is not valid JSON` };
    }
  };
  const [healthcheck, nodes, queues] = await Promise.all([
    get('/api/healthchecks/node', 'management health check'),
    get('/api/nodes?columns=name,type,running,partitions,mem_alarm,disk_free_alarm,mem_used,mem_limit,disk_free,disk_free_limit,fd_used,fd_total,uptime,being_drained', 'management nodes'),
    get('/api/queues?columns=name,vhost,type,state,node,messages,messages_ready,messages_unacknowledged,consumers', 'management queues'),
  ]);
  return {
    healthcheck: healthcheck as ManagementView['healthcheck'],
    nodes: Array.isArray(nodes) || isError(nodes) ? (nodes as ManagementView['nodes']) : { error: 'management nodes: unexpected body' },
    queues: Array.isArray(queues) || isError(queues) ? (queues as ManagementView['queues']) : { error: 'management queues: unexpected body' },
  };
}

/**
 * Opens an AMQP connection and a channel, then closes both: the same path a client takes, so
 * an authentication, vhost or resource problem shows as it would to the application.
 */
export async function probeRabbitmq(spec: RabbitmqSpec, ctx: ProbeContext): Promise<Observation> {
  let conn: amqp.ChannelModel | undefined;
  let aborted = false;
  const connecting = amqp.connect(spec.url, { timeout: ctx.timeoutMs, rejectUnauthorized: spec.tls_verify, clientProperties: { connection_name: 'nines-probe' } });
  // amqplib takes no abort signal: a connection finishing after the timeout is closed at once.
  const onAbort = () => {
    aborted = true;
    connecting.then((c) => c.close()).catch(() => undefined);
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let server: Record<string, unknown>;
  try {
    conn = await connecting;
    conn.on('error', () => undefined);
    if (aborted) return { up: false, reason: reasonFromError(Object.assign(new Error('aborted'), { name: 'AbortError' }), ctx.timeoutMs) };
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    await ch.close();
    server = conn.connection.serverProperties as unknown as Record<string, unknown>;
  } catch (err) {
    return { up: false, reason: amqpReason(err, ctx.timeoutMs, vhostOf(spec.url)) };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await conn?.close().catch(() => undefined);
  }
  const details: Record<string, unknown> = {
    product: server.product,
    version: server.version,
    cluster_name: server.cluster_name,
    platform: server.platform,
  };
  const obs: Observation = { up: true, details };
  if (spec.management_url) {
    const m = interpretManagement(await management(spec, ctx));
    Object.assign(details, m.details);
    if (m.peers) obs.peers = m.peers;
    if (m.warning) obs.warning = m.warning;
  }
  return obs;
}

export const rabbitmqDriver: ProbeDriver<RabbitmqSpec> = {
  kind: 'rabbitmq',
  schema: rabbitmqSchema,
  secrets: (spec) => [...secretsOfUrl(spec.url), ...(spec.management_url ? secretsOfUrl(spec.management_url) : [])],
  probe: probeRabbitmq,
};
