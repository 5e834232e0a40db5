import * as net from 'node:net';
import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { reasonFromError } from '../reasons';
import { httpUrl, parseHostPort } from './fields';
import { fetchJson, joinUrl } from './http-request';

// node-zookeeper-client ships no types; this is the part of its API the driver uses.
interface ZkClient {
  once(event: 'connected' | 'disconnected' | 'expired' | 'authenticationFailed', cb: () => void): void;
  connect(): void;
  close(): void;
  getChildren(path: string, cb: (err: (Error & { code?: number; name?: string }) | null, children: string[]) => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client') as {
  createClient(connectionString: string, opts: { sessionTimeout: number; spinDelay: number; retries: number }): ZkClient;
};

const zkConnect = z.string().refine((s) => s.split(',').every((hp) => parseHostPort(hp) !== undefined), {
  message: 'must be host:port (or a comma-separated list of them)',
});
const minInstances = z.number().int().min(0).default(1);

export const registrySchema = z.discriminatedUnion(
  'backend',
  [
    z
      .object({
        backend: z.literal('zookeeper'),
        /** ZooKeeper connection string: host:port[,host:port…]. */
        address: zkConnect,
        /** The znode whose children are the live providers, e.g. /dubbo/com.acme.Orders/providers. */
        path: z.string().regex(/^\/(?:[^/]+(?:\/[^/]+)*)?$/, 'must be an absolute znode path like /services/orders'),
        min_instances: minInstances,
      })
      .strict(),
    z
      .object({
        backend: z.literal('consul'),
        url: httpUrl,
        service: z.string().min(1),
        min_instances: minInstances,
        /** ACL token, sent as X-Consul-Token (a secret). */
        token: z.string().min(1).optional(),
        tls_verify: z.boolean().default(true),
      })
      .strict(),
    z
      .object({
        backend: z.literal('nacos'),
        url: httpUrl,
        service: z.string().min(1),
        min_instances: minInstances,
        namespace: z.string().min(1).optional(),
        group: z.string().min(1).optional(),
        tls_verify: z.boolean().default(true),
      })
      .strict(),
  ],
  { errorMap: (issue, ctx) => ({ message: issue.code === 'invalid_union_discriminator' ? 'backend must be zookeeper, consul or nacos' : ctx.defaultError }) },
);
export type RegistrySpec = z.infer<typeof registrySchema>;

/** up when at least min_instances live instances are registered. */
export function interpretInstances(peers: PeerSeen[], minInstances: number, details: Record<string, unknown> = {}): Observation {
  const obs: Observation = { up: peers.length >= minInstances, peers, details: { ...details, instances: peers.length, min_instances: minInstances } };
  if (!obs.up) obs.reason = `${peers.length} of min ${minInstances} instances`;
  return obs;
}

/** A provider znode is often a URL-encoded URL (Dubbo): name it by host:port when it is one. */
export function zkChildToPeer(child: string): PeerSeen {
  let decoded = child;
  try {
    decoded = decodeURIComponent(child);
  } catch {
    /* keep the raw name */
  }
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(decoded);
  return m ? { id: m[1], state: 'registered', details: { znode: child, url: decoded.slice(0, 500) } } : { id: decoded, state: 'registered' };
}

interface ConsulEntry {
  Node?: { Node?: string; Address?: string; Datacenter?: string };
  Service?: { ID?: string; Service?: string; Address?: string; Port?: number; Tags?: string[] | null };
  Checks?: { CheckID?: string; Name?: string; Status?: string; Output?: string }[];
}

/** /v1/health/service/NAME?passing: every entry already passed all its checks. */
export function consulPeers(entries: ConsulEntry[]): PeerSeen[] {
  return entries.map((e) => {
    const host = e.Service?.Address || e.Node?.Address || e.Node?.Node || '?';
    return {
      id: e.Service?.Port ? `${host}:${e.Service.Port}` : host,
      state: 'passing',
      details: { node: e.Node?.Node, service_id: e.Service?.ID, datacenter: e.Node?.Datacenter, tags: e.Service?.Tags ?? [] },
    };
  });
}

interface NacosList {
  hosts?: { instanceId?: string; ip?: string; port?: number; healthy?: boolean; enabled?: boolean; weight?: number; clusterName?: string; ephemeral?: boolean }[];
  reachProtectionThreshold?: boolean;
}

/** Nacos instance list: healthy and enabled instances count. */
export function nacosPeers(list: NacosList): PeerSeen[] {
  return (list.hosts ?? [])
    .filter((h) => h.healthy !== false && h.enabled !== false)
    .map((h) => ({ id: `${h.ip}:${h.port}`, state: 'healthy', details: { instance_id: h.instanceId, cluster: h.clusterName, weight: h.weight, ephemeral: h.ephemeral } }));
}

/** ZooKeeper clients retry a refused connection silently; a plain connect tells why at once. */
function tcpCheck(address: string, ctx: ProbeContext): Promise<string | undefined> {
  const { host, port } = parseHostPort(address)!;
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (why?: string) => {
      ctx.signal.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(why);
    };
    const onAbort = () => done(undefined);
    s.once('connect', () => done(undefined));
    s.once('error', (err) => done(reasonFromError(err, ctx.timeoutMs)));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function probeZookeeper(spec: Extract<RegistrySpec, { backend: 'zookeeper' }>, ctx: ProbeContext): Promise<Observation> {
  const hosts = spec.address.split(',');
  if (hosts.length === 1) {
    const why = await tcpCheck(hosts[0], ctx);
    if (why) return { up: false, reason: `zookeeper: ${why}` };
  }
  const client = zookeeper.createClient(spec.address, { sessionTimeout: Math.max(ctx.timeoutMs, 4000), spinDelay: 200, retries: 0 });
  try {
    return await new Promise<Observation>((resolve) => {
      const onAbort = () => resolve({ up: false, reason: `zookeeper: ${reasonFromError(Object.assign(new Error('t'), { code: 'ETIMEDOUT' }), ctx.timeoutMs)}` });
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      client.once('authenticationFailed', () => resolve({ up: false, reason: 'zookeeper: authentication failed' }));
      client.once('connected', () => {
        client.getChildren(spec.path, (err, children) => {
          ctx.signal.removeEventListener('abort', onAbort);
          if (err) {
            const name = err.name ?? '';
            if (name === 'NO_NODE' || err.code === -101) return resolve({ up: false, reason: `zookeeper: path ${spec.path} does not exist` });
            if (name === 'NO_AUTH' || err.code === -102) return resolve({ up: false, reason: `zookeeper: no permission to read ${spec.path}` });
            return resolve({ up: false, reason: `zookeeper: ${name || err.message}` });
          }
          resolve(interpretInstances(children.sort().map(zkChildToPeer), spec.min_instances, { backend: 'zookeeper', path: spec.path }));
        });
      });
      client.connect();
    });
  } finally {
    client.close();
  }
}

/** Nacos is served under /nacos by default; accept the URL with or without it. */
function nacosBase(url: string): string {
  const u = new URL(url);
  return /\/nacos\/?$/.test(u.pathname) ? url : joinUrl(url, '/nacos').toString();
}

export async function probeRegistry(spec: RegistrySpec, ctx: ProbeContext): Promise<Observation> {
  switch (spec.backend) {
    case 'zookeeper':
      return probeZookeeper(spec, ctx);
    case 'consul': {
      const url = joinUrl(spec.url, `/v1/health/service/${encodeURIComponent(spec.service)}?passing`);
      const r = await fetchJson(url, ctx, 'consul', { tlsVerify: spec.tls_verify, headers: spec.token ? { 'x-consul-token': spec.token } : {} });
      if (!r.ok) return { up: false, reason: r.reason };
      if (!Array.isArray(r.json)) return { up: false, reason: 'consul: unexpected body (not a list of service entries)' };
      return interpretInstances(consulPeers(r.json as ConsulEntry[]), spec.min_instances, { backend: 'consul', service: spec.service });
    }
    case 'nacos': {
      const q = new URLSearchParams({ serviceName: spec.service, healthyOnly: 'true' });
      if (spec.namespace) q.set('namespaceId', spec.namespace);
      if (spec.group) q.set('groupName', spec.group);
      const r = await fetchJson(joinUrl(nacosBase(spec.url), `/v1/ns/instance/list?${q}`), ctx, 'nacos', { tlsVerify: spec.tls_verify });
      if (!r.ok) return { up: false, reason: r.reason };
      const list = r.json as NacosList;
      if (!list || typeof list !== 'object' || !Array.isArray(list.hosts)) return { up: false, reason: 'nacos: unexpected body (no hosts list)' };
      const obs = interpretInstances(nacosPeers(list), spec.min_instances, { backend: 'nacos', service: spec.service, namespace: spec.namespace, group: spec.group });
      // Over the protect threshold Nacos hands out unhealthy instances too, to spare the healthy.
      if (list.reachProtectionThreshold) obs.warning = 'Nacos protect threshold reached: clients also get unhealthy instances';
      return obs;
    }
  }
}

export const registryDriver: ProbeDriver<RegistrySpec> = {
  kind: 'registry',
  schema: registrySchema,
  secrets: (spec) => (spec.backend === 'zookeeper' ? [] : [...secretsOfUrl(spec.url), ...(spec.backend === 'consul' && spec.token ? [spec.token] : [])]),
  probe: probeRegistry,
};
