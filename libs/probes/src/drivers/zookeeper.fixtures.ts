/** Recorded from ZooKeeper 3.8.0 (Debian) in a three-node ensemble, mntr trimmed of histograms. */
export const SRVR_LEADER =
  'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 2\nSent: 1\nConnections: 1\nOutstanding: 0\nZxid: 0x100000000\nMode: leader\nNode count: 5\nProposal sizes last/min/max: -1/-1/-1\n';

export const MNTR_LEADER = [
  'zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
  'zk_server_state\tleader',
  'zk_peer_state\tleading - broadcast',
  'zk_num_alive_connections\t1',
  'zk_avg_latency\t0.0',
  'zk_outstanding_requests\t0',
  'zk_znode_count\t5',
  'zk_synced_followers\t2',
  'zk_synced_non_voting_followers\t0',
  'zk_synced_observers\t0',
  'zk_min_latency\t0',
  'zk_pending_syncs\t0',
  'zk_leader_uptime\t9520',
  'zk_uptime\t10750',
  'zk_max_latency\t0',
  'zk_learners\t2',
  'zk_quorum_size\t3',
  'zk_avg_pending_session_queue_size\t0.0',
  'zk_p99_proposal_latency\t0',
  '',
].join('\n');

export const SRVR_FOLLOWER =
  'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: follower\nNode count: 5\n';

export const MNTR_FOLLOWER = [
  'zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
  'zk_server_state\tfollower',
  'zk_peer_state\tfollowing - broadcast',
  'zk_num_alive_connections\t1',
  'zk_avg_latency\t0.0',
  'zk_outstanding_requests\t0',
  'zk_znode_count\t5',
  'zk_min_latency\t0',
  'zk_uptime\t7641',
  'zk_max_latency\t0',
  'zk_quorum_size\t3',
  '',
].join('\n');

export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n';
export const NOT_WHITELISTED = (cmd: string) => `${cmd} is not executed because it is not in the whitelist.\n`;

/** AdminServer GET /commands/srvr on the leader (epoch 2 after a re-election). */
export const ADMIN_SRVR_LEADER = {
  version: '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
  read_only: false,
  server_stats: {
    packets_sent: 0,
    packets_received: 0,
    fsync_threshold_exceed_count: 0,
    client_response_stats: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
    data_dir_size: 457,
    log_dir_size: 457,
    provider_null: false,
    server_state: 'leader',
    last_processed_zxid: 8589934592,
    outstanding_requests: 0,
    avg_latency: 0.0,
    max_latency: 0,
    min_latency: 0,
    num_alive_client_connections: 0,
    uptime: 5294,
    auth_failed_count: 0,
    non_mtlsremote_conn_count: 0,
    non_mtlslocal_conn_count: 0,
  },
  client_response: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
  node_count: 5,
  command: 'server_stats',
  error: null,
};

export const ADMIN_MNTR_LEADER = {
  version: '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
  server_state: 'leader',
  peer_state: 'leading - broadcast',
  avg_latency: 0.0,
  outstanding_requests: 0,
  znode_count: 5,
  synced_followers: 1,
  synced_non_voting_followers: 0,
  synced_observers: 0,
  pending_syncs: 0,
  learners: 1,
  quorum_size: 3,
  command: 'monitor',
  error: null,
};

export const ADMIN_SRVR_NOT_SERVING = { command: 'srvr', error: 'This ZooKeeper instance is not currently serving requests' };
