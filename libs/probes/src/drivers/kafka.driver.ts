import { Kafka, logLevel, type Admin } from 'kafkajs';
import { z } from 'zod';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { reasonFromError } from '../reasons';
import { hostPort } from './fields';

export const kafkaSchema = z
  .object({
    /** Bootstrap brokers (host:port); a member probe lists just its own broker. */
    brokers: z.array(hostPort).nonempty(),
    /** Only these topics are checked; default: every topic the cluster has. */
    topics: z.array(z.string().min(1)).nonempty().optional(),
  })
  .strict();
export type KafkaSpec = z.infer<typeof kafkaSchema>;

export interface ClusterView {
  brokers: { nodeId: number; host: string; port: number }[];
  controller: number | null;
  clusterId?: string;
}

export interface PartitionView {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  partitionErrorCode?: number;
}

export interface TopicView {
  name: string;
  partitions: PartitionView[];
}

const LIST_MAX = 10;

function listed(items: string[]): string {
  return items.slice(0, LIST_MAX).join(', ') + (items.length > LIST_MAX ? `, +${items.length - LIST_MAX} more` : '');
}

/**
 * Cluster health from metadata: down with no controller or with offline partitions (no leader:
 * writes and reads to them fail); under-replicated partitions (ISR smaller than the replica set)
 * are a warning. `leader` is the controller id; details.partition_leaders maps "topic/partition"
 * to its leader so a later stage can see leadership moves. `self`, when given (the one broker a
 * member probe names), sets role: leader if it is the controller, else follower.
 */
export function interpretKafka(cluster: ClusterView, topics: TopicView[], self?: string): Observation {
  const partitionLeaders: Record<string, number> = {};
  const underReplicated: string[] = [];
  const offline: string[] = [];
  let partitions = 0;
  for (const t of topics) {
    for (const p of [...t.partitions].sort((a, b) => a.partitionId - b.partitionId)) {
      partitions++;
      const key = `${t.name}/${p.partitionId}`;
      partitionLeaders[key] = p.leader;
      if (p.leader < 0) offline.push(key);
      else if (p.isr.length < p.replicas.length) underReplicated.push(`${key} isr ${p.isr.length}/${p.replicas.length}`);
    }
  }
  const controller = cluster.controller;
  const peers: PeerSeen[] = cluster.brokers
    .slice()
    .sort((a, b) => a.nodeId - b.nodeId)
    .map((b) => ({ id: `${b.host}:${b.port}`, role: b.nodeId === controller ? 'leader' : 'follower', state: 'alive', details: { node_id: b.nodeId } }));
  const obs: Observation = {
    up: controller !== null && offline.length === 0,
    peers,
    details: {
      cluster_id: cluster.clusterId,
      controller,
      brokers: cluster.brokers.length,
      topics: topics.length,
      partitions,
      under_replicated: underReplicated.length,
      offline: offline.length,
      partition_leaders: partitionLeaders,
    },
  };
  if (controller !== null) obs.leader = String(controller);
  if (self) {
    const me = cluster.brokers.find((b) => `${b.host}:${b.port}` === self);
    if (me) obs.role = me.nodeId === controller ? 'leader' : 'follower';
  }
  if (controller === null) obs.reason = 'no active controller';
  else if (offline.length) obs.reason = `${offline.length} offline partition${offline.length > 1 ? 's' : ''} (no leader): ${listed(offline)}`;
  if (underReplicated.length) obs.warning = `${underReplicated.length} under-replicated partition${underReplicated.length > 1 ? 's' : ''}: ${listed(underReplicated)}`;
  return obs;
}

/** KafkaJS errors carry a protocol type; turn the common ones into short reasons. */
export function kafkaReason(err: unknown, timeoutMs: number): string {
  type KErr = { type?: string; name?: string; message?: string; originalError?: unknown; cause?: unknown };
  let e = err as KErr;
  // Retry wrappers keep the protocol error inside.
  for (let inner = e?.originalError ?? e?.cause, depth = 0; !e?.type && inner && depth < 3; inner = (inner as KErr).originalError ?? (inner as KErr).cause, depth++) {
    if ((inner as KErr).type) e = inner as KErr;
  }
  if (e?.type === 'LEADER_NOT_AVAILABLE') return 'offline partitions: no leader available (LEADER_NOT_AVAILABLE)';
  if (e?.type === 'UNKNOWN_TOPIC_OR_PARTITION') return 'topic does not exist (UNKNOWN_TOPIC_OR_PARTITION)';
  if (e?.type === 'TOPIC_AUTHORIZATION_FAILED' || e?.type === 'CLUSTER_AUTHORIZATION_FAILED') return `not authorized (${e.type})`;
  if (e?.type) return `${e.type}: ${e.message ?? ''}`.trim();
  const inner = e?.originalError ?? e?.cause;
  if (inner && (inner as { code?: string }).code) return reasonFromError(inner, timeoutMs);
  if (e?.name === 'KafkaJSNumberOfRetriesExceeded' || e?.name === 'KafkaJSConnectionError') {
    if (/ECONNREFUSED|Connection error/i.test(e.message ?? '')) return 'connection refused';
    if (/timeout/i.test(e.message ?? '')) return reasonFromError(Object.assign(new Error('t'), { code: 'ETIMEDOUT' }), timeoutMs);
  }
  return reasonFromError(err, timeoutMs);
}

export async function probeKafka(spec: KafkaSpec, ctx: ProbeContext): Promise<Observation> {
  const kafka = new Kafka({
    clientId: 'nines-probe',
    brokers: spec.brokers,
    connectionTimeout: Math.max(200, Math.floor(ctx.timeoutMs * 0.8)),
    requestTimeout: ctx.timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  const onAbort = () => void admin.disconnect().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // No topics asked means all topics: Kafka's metadata request treats an empty list as "all".
    const meta = await admin.fetchTopicMetadata(spec.topics ? { topics: [...spec.topics] } : undefined);
    return interpretKafka(cluster, meta.topics as TopicView[], spec.brokers.length === 1 ? spec.brokers[0] : undefined);
  } catch (err) {
    return { up: false, reason: kafkaReason(err, ctx.timeoutMs) };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await admin.disconnect().catch(() => undefined);
  }
}

export const kafkaDriver: ProbeDriver<KafkaSpec> = {
  kind: 'kafka',
  schema: kafkaSchema,
  probe: probeKafka,
};
