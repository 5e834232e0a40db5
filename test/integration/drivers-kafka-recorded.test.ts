import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeKafka, type FakeKafka, type RecordedCluster } from '../support/servers/kafka-fake-broker';
import { freePort } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';

const probe = (fields: Record<string, unknown>, timeoutMs = 3000) => timedProbe('kafka', fields, timeoutMs).then((r) => r.obs);

// The Kafka quickstart's three-broker cluster as `kafka-topics.sh --describe` recorded it:
//   Topic: my-replicated-topic  Partition: 0  Leader: 1  Replicas: 1,2,0  Isr: 1,2,0
//   Topic: test                 Partition: 0  Leader: 0  Replicas: 0      Isr: 0
// and after broker 1 was killed:
//   Topic: my-replicated-topic  Partition: 0  Leader: 2  Replicas: 1,2,0  Isr: 2,0
const HEALTHY: RecordedCluster = {
  brokers: [1, 0, 2],
  controller: 1,
  topics: [
    { name: 'my-replicated-topic', partitions: [{ partition: 0, leader: 1, replicas: [1, 2, 0], isr: [1, 2, 0] }] },
    { name: 'test', partitions: [{ partition: 0, leader: 0, replicas: [0], isr: [0] }] },
  ],
};
const BROKER1_KILLED: RecordedCluster = {
  brokers: [0, 2],
  controller: 0,
  topics: [
    { name: 'my-replicated-topic', partitions: [{ partition: 0, leader: 2, replicas: [1, 2, 0], isr: [2, 0] }] },
    { name: 'test', partitions: [{ partition: 0, leader: 0, replicas: [0], isr: [0] }] },
  ],
};
// Broker 0 gone too: "test" has its only replica on it, so it has no leader (error 5).
const TEST_OFFLINE: RecordedCluster = {
  brokers: [2],
  controller: 2,
  topics: [
    { name: 'my-replicated-topic', partitions: [{ partition: 0, leader: 2, replicas: [1, 2, 0], isr: [2] }] },
    { name: 'test', partitions: [{ partition: 0, leader: -1, replicas: [0], isr: [0], error: 5 }] },
  ],
};

describe('kafka driver through KafkaJS against a wire-protocol fake broker replaying recorded metadata (recorded)', () => {
  let broker: FakeKafka;
  before(async () => {
    broker = await startFakeKafka(HEALTHY);
  });
  after(() => broker?.close());

  test('healthy cluster: controller as leader, brokers as peers, partition leaders in details', async () => {
    const obs = await probe({ brokers: [broker.address] });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.warning, undefined);
    assert.equal(obs.leader, '1');
    assert.equal(obs.role, 'leader'); // the broker probed is the controller
    assert.deepEqual(obs.details?.partition_leaders, { 'my-replicated-topic/0': 1, 'test/0': 0 });
    assert.deepEqual(obs.peers?.map((p) => [p.details?.node_id, p.role]), [
      [0, 'follower'],
      [1, 'leader'],
      [2, 'follower'],
    ]);
    assert.ok(broker.requests.some((r) => r.apiKey === 18), 'ApiVersions was negotiated');
    assert.ok(broker.requests.some((r) => r.apiKey === 3 && r.apiVersion === 1), 'Metadata v1 was used');
  });

  test('an unknown topic and an unreachable broker are short reasons', async () => {
    const unknown = await probe({ brokers: [broker.address], topics: ['nope'] });
    assert.deepEqual([unknown.up, unknown.reason], [false, 'topic does not exist (UNKNOWN_TOPIC_OR_PARTITION)']);
    const dead = await probe({ brokers: [`127.0.0.1:${await freePort()}`] }, 1500);
    assert.equal(dead.up, false);
    assert.match(dead.reason!, /^(connection refused|timeout after 1\.5s)$/);
  });
  test('broker 1 killed: leadership moved, partition under-replicated → up with a warning', async () => {
    broker.setCluster(BROKER1_KILLED);
    const obs = await probe({ brokers: [`127.0.0.1:${broker.ports.get(0)}`], topics: ['my-replicated-topic'] });
    assert.equal(obs.up, true);
    assert.equal(obs.leader, '0');
    assert.equal(obs.warning, '1 under-replicated partition: my-replicated-topic/0 isr 2/3');
    assert.deepEqual(obs.details?.partition_leaders, { 'my-replicated-topic/0': 2 });
    assert.deepEqual(broker.requests.at(-1)?.topics, ['my-replicated-topic']);
  });

  test('a partition without a leader makes the cluster down', async () => {
    broker.setCluster(TEST_OFFLINE);
    const obs = await probe({ brokers: [`127.0.0.1:${broker.ports.get(2)}`] });
    assert.deepEqual([obs.up, obs.reason], [false, 'offline partitions: no leader available (LEADER_NOT_AVAILABLE)']);
  });

});
