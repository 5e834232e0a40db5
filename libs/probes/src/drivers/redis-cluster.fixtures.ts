/** Recorded from six redis-server 7.0.15 nodes made into a cluster with redis-cli --cluster create. */
export const INFO_OK = `cluster_state:ok
cluster_slots_assigned:16384
cluster_slots_ok:16384
cluster_slots_pfail:0
cluster_slots_fail:0
cluster_known_nodes:6
cluster_size:3
cluster_current_epoch:6
cluster_my_epoch:1
cluster_stats_messages_ping_sent:42
cluster_stats_messages_pong_sent:44
cluster_stats_messages_sent:86
cluster_stats_messages_ping_received:39
cluster_stats_messages_pong_received:42
cluster_stats_messages_meet_received:5
cluster_stats_messages_received:86
total_cluster_links_buffer_limit_exceeded:0
`.replace(/\n/g, '\r\n');

export const NODES_OK = `4ecdeae98682806e26d1da9d3e651f03ba73b420 127.0.0.1:27006@37006 slave e3ef85e0e6008f487cd4e624e4505d9d07917184 0 1795341191055 2 connected
8abe88d73500fdf1d03ddf212bb30099a505e0cd 127.0.0.1:27004@37004 slave a94e6e671ada8c861d31d77b65253eb87941b3ae 0 1795341190955 3 connected
e3ef85e0e6008f487cd4e624e4505d9d07917184 127.0.0.1:27002@37002 master - 0 1795341190955 2 connected 5461-10922
a94e6e671ada8c861d31d77b65253eb87941b3ae 127.0.0.1:27003@37003 master - 0 1795341190854 3 connected 10923-16383
2fb2ee64cd9b581d553674e97f551c3e4ad21c51 127.0.0.1:27005@37005 slave 4bbbdf4dd5af5787c38de5228cf7d7bfe6b907b5 0 1795341190854 1 connected
4bbbdf4dd5af5787c38de5228cf7d7bfe6b907b5 127.0.0.1:27001@37001 myself,master - 0 1795341191000 1 connected 0-5460
`;

/** Master 27003 shut down before its replica had synced: no failover, its slots fail. */
export const INFO_FAIL = INFO_OK.replace('cluster_state:ok', 'cluster_state:fail').replace('cluster_slots_ok:16384', 'cluster_slots_ok:10923').replace('cluster_slots_fail:0', 'cluster_slots_fail:5461');

export const NODES_FAILED_MASTER = `4ecdeae98682806e26d1da9d3e651f03ba73b420 127.0.0.1:27006@37006 slave e3ef85e0e6008f487cd4e624e4505d9d07917184 0 1795341197205 2 connected
8abe88d73500fdf1d03ddf212bb30099a505e0cd 127.0.0.1:27004@37004 slave a94e6e671ada8c861d31d77b65253eb87941b3ae 0 1795341197004 3 connected
e3ef85e0e6008f487cd4e624e4505d9d07917184 127.0.0.1:27002@37002 master - 0 1795341197205 2 connected 5461-10922
a94e6e671ada8c861d31d77b65253eb87941b3ae 127.0.0.1:27003@37003 master,fail - 1795341192872 1795341192370 3 disconnected 10923-16383
2fb2ee64cd9b581d553674e97f551c3e4ad21c51 127.0.0.1:27005@37005 slave 4bbbdf4dd5af5787c38de5228cf7d7bfe6b907b5 0 1795341197004 1 connected
4bbbdf4dd5af5787c38de5228cf7d7bfe6b907b5 127.0.0.1:27001@37001 myself,master - 0 1795341196000 1 connected 0-5460
`;
