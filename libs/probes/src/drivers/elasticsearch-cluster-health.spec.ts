import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { elasticError, elasticsearchSchema, interpretElasticsearch } from './elasticsearch.driver';

// The cluster health reference example: one node, one replica that cannot be allocated.
const YELLOW = JSON.parse(
  '{"cluster_name":"testcluster","status":"yellow","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":1,"active_shards":1,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":1,"delayed_unassigned_shards":0,"number_of_pending_tasks":0,"number_of_in_flight_fetch":0,"task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":50.0}',
);
const RED = JSON.parse(
  '{"cluster_name":"elasticsearch","status":"red","timed_out":false,"number_of_nodes":3,"number_of_data_nodes":1,"active_primary_shards":0,"active_shards":0,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":5,"delayed_unassigned_shards":0,"number_of_pending_tasks":0,"number_of_in_flight_fetch":0,"task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":"NaN"}',
);
const GREEN = { ...YELLOW, cluster_name: 'search-prod', status: 'green', number_of_nodes: 3, number_of_data_nodes: 3, active_shards: 2, unassigned_shards: 0 };
// `_cat/master?format=json` as in the cat master documentation.
const MASTER = [{ id: 'YzWoH_2BT-6UjVGDyPdqYg', host: '127.0.0.1', ip: '127.0.0.1', node: 'YzWoH_2' }];

test('green: up, leader is the elected master node, shard counts in details', () => {
  const obs = interpretElasticsearch(GREEN, MASTER);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, undefined);
  assert.equal(obs.leader, 'YzWoH_2');
  assert.equal(obs.epoch, undefined);
  assert.deepEqual(obs.details?.master, { id: 'YzWoH_2BT-6UjVGDyPdqYg', node: 'YzWoH_2', host: '127.0.0.1', ip: '127.0.0.1' });
  assert.equal(obs.details?.number_of_data_nodes, 3);
  assert.equal(obs.details?.active_shards, 2);
});

test('yellow: up with a warning naming the unassigned shards', () => {
  const obs = interpretElasticsearch(YELLOW, MASTER);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'cluster is yellow: 1 unassigned, 0 initializing, 0 relocating shards (replicas not allocated)');
});

test('red: down', () => {
  const obs = interpretElasticsearch(RED, MASTER);
  assert.equal(obs.up, false);
  assert.equal(obs.reason, 'cluster elasticsearch is red: 5 unassigned, 0 initializing, 0 relocating shards');
});

test('cat master failing does not hide cluster health', () => {
  const obs = interpretElasticsearch(GREEN, { error: 'cat master: status 403 (check credentials)' });
  assert.equal(obs.up, true);
  assert.equal(obs.leader, undefined);
  assert.equal(obs.details?.master_error, 'cat master: status 403 (check credentials)');
});

test('a body without a status is a failed probe', () => {
  assert.deepEqual(interpretElasticsearch({} as never), { up: false, reason: 'cluster health has no valid status (null)' });
  assert.equal(interpretElasticsearch({ status: 'purple' }).up, false);
});

test('error bodies are explained', () => {
  assert.equal(
    elasticError('{"error":{"root_cause":[{"type":"master_not_discovered_exception","reason":null}],"type":"master_not_discovered_exception","reason":null},"status":503}'),
    'no elected master (master_not_discovered_exception)',
  );
  assert.equal(elasticError('{"error":{"type":"security_exception","reason":"unable to authenticate user [nines]"},"status":401}'), 'security_exception: unable to authenticate user [nines]');
  assert.equal(elasticError('<html>502</html>'), undefined);
});

test('schema: strict', () => {
  assert.equal(elasticsearchSchema.safeParse({ url: 'https://nines:pw@es1:9200' }).success, true);
  assert.equal(elasticsearchSchema.safeParse({ url: 'https://es1:9200', index: 'x' }).success, false);
});
