/**
 * Elasticsearch responses as its documentation and users recorded them: the cluster health
 * reference example (one node, replica unassigned → yellow), a three-node green cluster, a red
 * cluster whose only data node lost its primaries, the 503 a node answers while no master is
 * elected, the 401 of a secured cluster, and `_cat/master?format=json`.
 */
export const HEALTH_YELLOW = {
  cluster_name: 'testcluster',
  status: 'yellow',
  timed_out: false,
  number_of_nodes: 1,
  number_of_data_nodes: 1,
  active_primary_shards: 1,
  active_shards: 1,
  relocating_shards: 0,
  initializing_shards: 0,
  unassigned_shards: 1,
  delayed_unassigned_shards: 0,
  number_of_pending_tasks: 0,
  number_of_in_flight_fetch: 0,
  task_max_waiting_in_queue_millis: 0,
  active_shards_percent_as_number: 50.0,
};

export const HEALTH_GREEN = {
  cluster_name: 'search-prod',
  status: 'green',
  timed_out: false,
  number_of_nodes: 3,
  number_of_data_nodes: 3,
  active_primary_shards: 545,
  active_shards: 1090,
  relocating_shards: 2,
  initializing_shards: 0,
  unassigned_shards: 0,
  delayed_unassigned_shards: 0,
  number_of_pending_tasks: 0,
  number_of_in_flight_fetch: 0,
  task_max_waiting_in_queue_millis: 0,
  active_shards_percent_as_number: 100.0,
};

export const HEALTH_RED = {
  cluster_name: 'elasticsearch',
  status: 'red',
  timed_out: false,
  number_of_nodes: 3,
  number_of_data_nodes: 1,
  active_primary_shards: 0,
  active_shards: 0,
  relocating_shards: 0,
  initializing_shards: 0,
  unassigned_shards: 5,
  delayed_unassigned_shards: 0,
  number_of_pending_tasks: 0,
  number_of_in_flight_fetch: 0,
  task_max_waiting_in_queue_millis: 0,
  active_shards_percent_as_number: 'NaN',
};

export const NO_MASTER_503 = {
  error: {
    root_cause: [{ type: 'master_not_discovered_exception', reason: null }],
    type: 'master_not_discovered_exception',
    reason: null,
  },
  status: 503,
};

export const SECURITY_401 = {
  error: {
    root_cause: [
      {
        type: 'security_exception',
        reason: 'missing authentication credentials for REST request [/_cluster/health]',
        header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] },
      },
    ],
    type: 'security_exception',
    reason: 'missing authentication credentials for REST request [/_cluster/health]',
    header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] },
  },
  status: 401,
};

export const CAT_MASTER = [{ id: 'YzWoH_2BT-6UjVGDyPdqYg', host: '127.0.0.1', ip: '127.0.0.1', node: 'YzWoH_2' }];
