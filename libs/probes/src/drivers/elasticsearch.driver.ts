import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { httpUrl } from './fields';
import { fetchText, joinUrl } from './http-request';

export const elasticsearchSchema = z
  .object({
    /** Any node's HTTP endpoint; basic-auth credentials in the URL are secrets. */
    url: httpUrl,
    tls_verify: z.boolean().default(true),
  })
  .strict();
export type ElasticsearchSpec = z.infer<typeof elasticsearchSchema>;

export interface ClusterHealth {
  cluster_name?: string;
  status?: string;
  timed_out?: boolean;
  number_of_nodes?: number;
  number_of_data_nodes?: number;
  active_primary_shards?: number;
  active_shards?: number;
  relocating_shards?: number;
  initializing_shards?: number;
  unassigned_shards?: number;
  delayed_unassigned_shards?: number;
  number_of_pending_tasks?: number;
  active_shards_percent_as_number?: number | string;
}

export interface CatMaster {
  id?: string;
  host?: string;
  ip?: string;
  node?: string;
}

const SHARD_FIELDS = ['active_primary_shards', 'active_shards', 'relocating_shards', 'initializing_shards', 'unassigned_shards', 'delayed_unassigned_shards', 'number_of_pending_tasks'] as const;

/**
 * green → up; yellow → up with a warning (every primary is allocated, some replicas are not:
 * one more node loss may lose data); red → down (some primary is unassigned). Elasticsearch
 * exposes no election term through these APIs, so epoch is left out.
 */
export function interpretElasticsearch(health: ClusterHealth, master?: CatMaster[] | { error: string }): Observation {
  const status = health.status;
  if (status !== 'green' && status !== 'yellow' && status !== 'red') {
    return { up: false, reason: `cluster health has no valid status (${JSON.stringify(status ?? null)})` };
  }
  const details: Record<string, unknown> = {
    cluster_name: health.cluster_name,
    status,
    number_of_nodes: health.number_of_nodes,
    number_of_data_nodes: health.number_of_data_nodes,
  };
  for (const k of SHARD_FIELDS) if (health[k] !== undefined) details[k] = health[k];
  const obs: Observation = { up: status !== 'red', details };
  if (master && !('error' in master) && master[0]) {
    const m = master[0];
    obs.leader = m.node ?? m.id;
    details.master = { id: m.id, node: m.node, host: m.host, ip: m.ip };
  } else if (master && 'error' in master) {
    details.master_error = master.error;
  }
  const shards = `${health.unassigned_shards ?? '?'} unassigned, ${health.initializing_shards ?? 0} initializing, ${health.relocating_shards ?? 0} relocating shards`;
  if (status === 'red') obs.reason = `cluster ${health.cluster_name ?? ''} is red: ${shards}`.replace('cluster  is', 'cluster is');
  else if (status === 'yellow') obs.warning = `cluster is yellow: ${shards} (replicas not allocated)`;
  if (health.timed_out) obs.warning = [obs.warning, 'health request timed out'].filter(Boolean).join('; ');
  return obs;
}

/** Elasticsearch errors come as {"error":{"type":…,"reason":…},"status":503}. */
export function elasticError(text: string): string | undefined {
  try {
    const e = (JSON.parse(text) as { error?: { type?: string; reason?: string | null } | string }).error;
    if (typeof e === 'string') return e.slice(0, 200);
    if (e?.type === 'master_not_discovered_exception') return 'no elected master (master_not_discovered_exception)';
    if (e?.type) return `${e.type}${e.reason ? `: ${e.reason}` : ''}`.slice(0, 200);
  } catch {
    /* not JSON: the caller keeps its status reason */
  }
  return undefined;
}

export async function probeElasticsearch(spec: ElasticsearchSpec, ctx: ProbeContext): Promise<Observation> {
  const opts = { tlsVerify: spec.tls_verify, headers: { accept: 'application/json' } };
  const [h, m] = await Promise.all([
    fetchText(joinUrl(spec.url, '/_cluster/health'), ctx, 'cluster health', opts),
    fetchText(joinUrl(spec.url, '/_cat/master?format=json'), ctx, 'cat master', opts),
  ]);
  if (!h.ok) {
    // A 503 from _cluster/health usually carries why (no master); say that rather than "503".
    const why = h.body !== undefined ? elasticError(h.body) : undefined;
    return { up: false, reason: why ? `cluster health: ${why}` : h.reason, httpStatus: h.status };
  }
  let health: ClusterHealth;
  try {
    health = JSON.parse(h.text) as ClusterHealth;
  } catch {
    return { up: false, reason: 'cluster health: body is not valid JSON', httpStatus: h.res.status };
  }
  if (!health || typeof health !== 'object') return { up: false, reason: 'cluster health: unexpected body' };
  let master: CatMaster[] | { error: string };
  if (!m.ok) master = { error: m.reason };
  else {
    try {
      const parsed = JSON.parse(m.text) as unknown;
      master = Array.isArray(parsed) ? (parsed as CatMaster[]) : { error: 'cat master: unexpected body' };
    } catch {
      master = { error: 'cat master: body is not valid JSON' };
    }
  }
  return { ...interpretElasticsearch(health, master), httpStatus: h.res.status };
}

export const elasticsearchDriver: ProbeDriver<ElasticsearchSpec> = {
  kind: 'elasticsearch',
  schema: elasticsearchSchema,
  secrets: (spec) => secretsOfUrl(spec.url),
  probe: probeElasticsearch,
};
