import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Exporter pages for the exporter driver's integration test. NODE_EXPORTER was recorded from
 * prometheus-node-exporter (Debian, filesystem/loadavg/meminfo collectors; trimmed to a few
 * families). KAFKA_EXPORTER follows kafka_exporter 1.7's exposition (metric names and HELP text
 * as it prints them) for a three-broker cluster with partition orders/1 under-replicated.
 */
export const NODE_EXPORTER = `# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 0
go_gc_duration_seconds{quantile="0.25"} 0
go_gc_duration_seconds{quantile="0.5"} 0
go_gc_duration_seconds{quantile="0.75"} 0
go_gc_duration_seconds{quantile="1"} 0
go_gc_duration_seconds_sum 0
go_gc_duration_seconds_count 0
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 7
# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/vda",fstype="ext4",mountpoint="/"} 8.4176162816e+10
# HELP node_filesystem_readonly Filesystem read-only status.
# TYPE node_filesystem_readonly gauge
node_filesystem_readonly{device="/dev/vda",fstype="ext4",mountpoint="/"} 0
# HELP node_filesystem_size_bytes Filesystem size in bytes.
# TYPE node_filesystem_size_bytes gauge
node_filesystem_size_bytes{device="/dev/vda",fstype="ext4",mountpoint="/"} 2.70553174016e+11
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 10.48
# HELP node_load15 15m load average.
# TYPE node_load15 gauge
node_load15 4.12
# HELP node_load5 5m load average.
# TYPE node_load5 gauge
node_load5 8.62
# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.
# TYPE node_memory_MemAvailable_bytes gauge
node_memory_MemAvailable_bytes 2.4284319744e+10
# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.
# TYPE node_memory_MemTotal_bytes gauge
node_memory_MemTotal_bytes 2.5276510208e+10
# HELP node_scrape_collector_success node_exporter: Whether a collector succeeded.
# TYPE node_scrape_collector_success gauge
node_scrape_collector_success{collector="filesystem"} 1
node_scrape_collector_success{collector="loadavg"} 1
node_scrape_collector_success{collector="meminfo"} 1
`;

export const KAFKA_EXPORTER = `# HELP kafka_brokers Number of Brokers in the Kafka Cluster.
# TYPE kafka_brokers gauge
kafka_brokers 3
# HELP kafka_exporter_build_info A metric with a constant '1' value labeled by version, revision, branch, and goversion from which kafka_exporter was built.
# TYPE kafka_exporter_build_info gauge
kafka_exporter_build_info{branch="HEAD",goversion="go1.20.4",revision="9a2f0a8b2a6b7c6f5f0bbb0a7c8c4b2d1e0f9a8b",version="1.7.0"} 1
# HELP kafka_topic_partition_in_sync_replica Number of In-Sync Replicas for this Topic/Partition
# TYPE kafka_topic_partition_in_sync_replica gauge
kafka_topic_partition_in_sync_replica{partition="0",topic="orders"} 3
kafka_topic_partition_in_sync_replica{partition="1",topic="orders"} 2
kafka_topic_partition_in_sync_replica{partition="2",topic="orders"} 3
kafka_topic_partition_in_sync_replica{partition="0",topic="payments"} 3
# HELP kafka_topic_partition_leader Leader Broker ID of this Topic/Partition
# TYPE kafka_topic_partition_leader gauge
kafka_topic_partition_leader{partition="0",topic="orders"} 1
kafka_topic_partition_leader{partition="1",topic="orders"} 2
kafka_topic_partition_leader{partition="2",topic="orders"} 3
kafka_topic_partition_leader{partition="0",topic="payments"} 1
# HELP kafka_topic_partition_leader_is_preferred 1 if Topic/Partition is using the Preferred Broker
# TYPE kafka_topic_partition_leader_is_preferred gauge
kafka_topic_partition_leader_is_preferred{partition="0",topic="orders"} 1
kafka_topic_partition_leader_is_preferred{partition="1",topic="orders"} 0
kafka_topic_partition_leader_is_preferred{partition="2",topic="orders"} 1
kafka_topic_partition_leader_is_preferred{partition="0",topic="payments"} 1
# HELP kafka_topic_partition_replicas Number of Replicas for this Topic/Partition
# TYPE kafka_topic_partition_replicas gauge
kafka_topic_partition_replicas{partition="0",topic="orders"} 3
kafka_topic_partition_replicas{partition="1",topic="orders"} 3
kafka_topic_partition_replicas{partition="2",topic="orders"} 3
kafka_topic_partition_replicas{partition="0",topic="payments"} 3
# HELP kafka_topic_partition_under_replicated_partition 1 if Topic/Partition is under Replicated
# TYPE kafka_topic_partition_under_replicated_partition gauge
kafka_topic_partition_under_replicated_partition{partition="0",topic="orders"} 0
kafka_topic_partition_under_replicated_partition{partition="1",topic="orders"} 1
kafka_topic_partition_under_replicated_partition{partition="2",topic="orders"} 0
kafka_topic_partition_under_replicated_partition{partition="0",topic="payments"} 0
# HELP kafka_consumergroup_lag Current Approximate Lag of a ConsumerGroup at Topic/Partition
# TYPE kafka_consumergroup_lag gauge
kafka_consumergroup_lag{consumergroup="billing",partition="0",topic="orders"} 12
kafka_consumergroup_lag{consumergroup="billing",partition="1",topic="orders"} 0
kafka_consumergroup_lag{consumergroup="billing",partition="2",topic="orders"} 48210
`;

/**
 * Whole pages recorded from real exporters on 127.0.0.1 (test/support/servers/recorded/), each
 * with the Content-Type it was served with: Prometheus 2.42, Alertmanager 0.25 and
 * blackbox_exporter 0.23 (Debian bookworm packages; their own /metrics and a blackbox /probe), and
 * prom-client 15.1 (Nines' metrics library) asked for OpenMetrics, with exemplars.
 */
export interface RecordedPage {
  name: string;
  contentType: string;
  body: Buffer;
}

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export function recordedPages(): RecordedPage[] {
  // Compiled tests run from dist/: find the sources by walking up to the repository root.
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const at = join(dir, 'test/support/servers/recorded');
  const page = (name: string, file: string, contentType: string) => ({ name, contentType, body: readFileSync(join(at, file)) });
  return [
    page('prometheus', 'prometheus-2.42.txt', TEXT),
    page('alertmanager', 'alertmanager-0.25.txt', TEXT),
    page('blackbox_exporter', 'blackbox-exporter-0.23.txt', TEXT),
    page('blackbox_exporter probe', 'blackbox-exporter-0.23-probe.txt', TEXT),
    page('prom-client (OpenMetrics)', 'prom-client-15.1.openmetrics.txt', OPENMETRICS),
    { name: 'node_exporter', contentType: TEXT, body: Buffer.from(NODE_EXPORTER) },
    { name: 'kafka_exporter', contentType: TEXT, body: Buffer.from(KAFKA_EXPORTER) },
  ];
}
