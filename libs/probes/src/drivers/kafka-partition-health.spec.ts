import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { interpretKafka, kafkaReason, kafkaSchema, type ClusterView, type TopicView } from './kafka.driver';

// KafkaJS admin.describeCluster() and fetchTopicMetadata() for the Kafka quickstart's
// three-broker cluster (kafka-topics --describe: Leader: 1 Replicas: 1,2,0 Isr: 1,2,0).
const CLUSTER: ClusterView = {
  brokers: [
    { nodeId: 0, host: 'kafka0', port: 9092 },
    { nodeId: 1, host: 'kafka1', port: 9093 },
    { nodeId: 2, host: 'kafka2', port: 9094 },
  ],
  controller: 1,
  clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
};
const part = (partitionId: number, leader: number, replicas: number[], isr: number[]) => ({ partitionErrorCode: 0, partitionId, leader, replicas, isr });
const HEALTHY: TopicView[] = [
  { name: 'my-replicated-topic', partitions: [part(0, 1, [1, 2, 0], [1, 2, 0])] },
  { name: 'orders', partitions: [part(1, 2, [2, 0, 1], [2, 0, 1]), part(0, 0, [0, 1, 2], [0, 1, 2])] },
];

test('healthy: controller is leader, partition leaders mapped, nothing flagged', () => {
  const obs = interpretKafka(CLUSTER, HEALTHY, 'kafka1:9093');
  assert.equal(obs.up, true);
  assert.equal(obs.leader, '1');
  assert.equal(obs.role, 'leader');
  assert.equal(obs.warning, undefined);
  assert.deepEqual(obs.details?.partition_leaders, { 'my-replicated-topic/0': 1, 'orders/0': 0, 'orders/1': 2 });
  assert.deepEqual([obs.details?.brokers, obs.details?.topics, obs.details?.partitions], [3, 2, 3]);
  assert.deepEqual(obs.peers?.map((p) => [p.id, p.role]), [
    ['kafka0:9092', 'follower'],
    ['kafka1:9093', 'leader'],
    ['kafka2:9094', 'follower'],
  ]);
  assert.equal(interpretKafka(CLUSTER, HEALTHY, 'kafka2:9094').role, 'follower');
  assert.equal(interpretKafka(CLUSTER, HEALTHY).role, undefined);
});

test('under-replicated partitions are a warning (after broker 1 was killed: Isr 2,0)', () => {
  const obs = interpretKafka({ ...CLUSTER, controller: 0 }, [{ name: 'my-replicated-topic', partitions: [part(0, 2, [1, 2, 0], [2, 0])] }]);
  assert.equal(obs.up, true);
  assert.equal(obs.leader, '0');
  assert.equal(obs.warning, '1 under-replicated partition: my-replicated-topic/0 isr 2/3');
});

test('offline partitions (leader -1) and a missing controller are down', () => {
  const offline = interpretKafka(CLUSTER, [{ name: 'test', partitions: [part(0, -1, [0], [0]), part(1, -1, [0], [])] }]);
  assert.deepEqual([offline.up, offline.reason], [false, '2 offline partitions (no leader): test/0, test/1']);
  const noController = interpretKafka({ ...CLUSTER, controller: null }, HEALTHY);
  assert.deepEqual([noController.up, noController.reason, noController.leader], [false, 'no active controller', undefined]);
});

test('long lists are cut', () => {
  const parts = Array.from({ length: 14 }, (_, i) => part(i, 1, [1, 2], [1]));
  assert.match(interpretKafka(CLUSTER, [{ name: 't', partitions: parts }]).warning!, /^14 under-replicated partitions: t\/0 isr 1\/2, .*t\/9 isr 1\/2, \+4 more$/);
});

test('KafkaJS errors, also wrapped by its retrier, become short reasons', () => {
  const protocol = Object.assign(new Error('There is no leader for this topic-partition as we are in the middle of a leadership election'), { type: 'LEADER_NOT_AVAILABLE' });
  assert.equal(kafkaReason(Object.assign(new Error(protocol.message), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: protocol }), 1000), 'offline partitions: no leader available (LEADER_NOT_AVAILABLE)');
  assert.equal(kafkaReason(Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSNumberOfRetriesExceeded' }), 1000), 'connection refused');
});

test('schema: broker list of host:port, strict', () => {
  assert.equal(kafkaSchema.safeParse({ brokers: ['kafka0:9092', 'kafka1:9093'], topics: ['orders'] }).success, true);
  assert.equal(kafkaSchema.safeParse({ brokers: [] }).success, false);
  assert.equal(kafkaSchema.safeParse({ brokers: ['kafka0'] }).success, false);
  assert.equal(kafkaSchema.safeParse({ brokers: ['kafka0:9092'], sasl: {} }).success, false);
});
