import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { evaluateConditions, exporterSchema, parseCondition } from './exporter.driver';

// kafka_exporter exposition: partition orders/1 has 2 of 3 replicas in sync.
const KAFKA = `# HELP kafka_brokers Number of Brokers in the Kafka Cluster.
# TYPE kafka_brokers gauge
kafka_brokers 3
# HELP kafka_topic_partition_under_replicated_partition 1 if Topic/Partition is under Replicated
# TYPE kafka_topic_partition_under_replicated_partition gauge
kafka_topic_partition_under_replicated_partition{partition="0",topic="orders"} 0
kafka_topic_partition_under_replicated_partition{partition="1",topic="orders"} 1
kafka_topic_partition_under_replicated_partition{partition="0",topic="payments"} 0
# HELP kafka_consumergroup_lag Current Approximate Lag of a ConsumerGroup at Topic/Partition
# TYPE kafka_consumergroup_lag gauge
kafka_consumergroup_lag{consumergroup="billing",partition="0",topic="orders"} 12
kafka_consumergroup_lag{consumergroup="billing",partition="1",topic="orders"} 48210
`;

// Recorded from prometheus-node-exporter (loadavg, filesystem collectors).
const NODE = `# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/vda",fstype="ext4",mountpoint="/"} 8.4176162816e+10
# HELP node_filesystem_readonly Filesystem read-only status.
# TYPE node_filesystem_readonly gauge
node_filesystem_readonly{device="/dev/vda",fstype="ext4",mountpoint="/"} 0
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 10.48
# HELP node_scrape_collector_success node_exporter: Whether a collector succeeded.
# TYPE node_scrape_collector_success gauge
node_scrape_collector_success{collector="filesystem"} 1
node_scrape_collector_success{collector="loadavg"} 1
`;

test('a condition that holds is a problem: the probe is down, naming the series and value', () => {
  const obs = evaluateConditions(KAFKA, ['kafka_topic_partition_under_replicated_partition > 0']);
  assert.equal(obs.up, false);
  assert.equal(obs.reason, 'kafka_topic_partition_under_replicated_partition{partition="1",topic="orders"} = 1 (kafka_topic_partition_under_replicated_partition > 0)');
  assert.deepEqual(obs.details?.violations, [
    { condition: 'kafka_topic_partition_under_replicated_partition > 0', series: 'kafka_topic_partition_under_replicated_partition{partition="1",topic="orders"}', value: '1' },
  ]);
});

test('conditions that do not hold leave the probe up', () => {
  const obs = evaluateConditions(KAFKA, ['kafka_brokers < 3', 'kafka_topic_partition_under_replicated_partition{topic="payments"} > 0']);
  assert.equal(obs.up, true);
  assert.equal(obs.reason, undefined);
  assert.deepEqual(obs.details, { series: 6, conditions: 2 });
});

test('label matchers: =, !=, =~ (anchored) and !~', () => {
  assert.equal(evaluateConditions(KAFKA, ['kafka_consumergroup_lag{consumergroup="billing"} > 10000']).up, false);
  assert.equal(evaluateConditions(KAFKA, ['kafka_consumergroup_lag{partition!="1"} > 10000']).up, true);
  assert.equal(evaluateConditions(KAFKA, ['kafka_consumergroup_lag{topic=~"ord"} > 0']).warning, 'no series for kafka_consumergroup_lag');
  assert.equal(evaluateConditions(KAFKA, ['kafka_consumergroup_lag{topic=~"ord.*"} > 0']).up, false);
  assert.equal(evaluateConditions(KAFKA, ['kafka_consumergroup_lag{topic!~"orders|payments"} > 0']).up, true);
});

test('several violations: the first is named, the rest counted', () => {
  const obs = evaluateConditions(KAFKA, ['kafka_consumergroup_lag >= 12']);
  assert.equal(obs.reason, 'kafka_consumergroup_lag{consumergroup="billing",partition="0",topic="orders"} = 12 (kafka_consumergroup_lag >= 12), and 1 more');
});

test('node_exporter: load, disk and collector conditions', () => {
  assert.equal(evaluateConditions(NODE, ['node_load1 > 8']).reason, 'node_load1 = 10.48 (node_load1 > 8)');
  assert.equal(evaluateConditions(NODE, ['node_filesystem_avail_bytes{mountpoint="/"} < 1e9', 'node_scrape_collector_success == 0', 'node_filesystem_readonly != 0']).up, true);
});

test('a metric with no series at all is a warning, not a silent pass', () => {
  const obs = evaluateConditions(NODE, ['node_lod1 > 8']);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, 'no series for node_lod1');
});

test('exposition edge cases: escaped quotes, NaN and ±Inf, timestamps; OpenMetrics timestamps, # EOF and exemplars', () => {
  const text = [
    '# a free comment',
    '# HELP weird_label A label with \\"quotes\\" in its help',
    'weird_label{path="C:\\\\dir\\\\",msg="say \\"hi\\"\\nbye",} 1 1712345678000',
    'ratio NaN',
    'upper{le="+Inf"} +Inf',
    'lower -Inf',
  ].join('\n');
  assert.equal(evaluateConditions(text, ['weird_label{msg="say \\"hi\\"\\nbye",path="C:\\\\dir\\\\"} == 1']).up, false);
  assert.equal(evaluateConditions(text, ['ratio != 0']).up, false); // NaN != 0, as in PromQL
  assert.equal(evaluateConditions(text, ['ratio > 0']).up, true);
  assert.equal(evaluateConditions(text, ['ratio == NaN']).up, false);
  assert.equal(evaluateConditions(text, ['upper >= +Inf']).reason, 'upper{le="+Inf"} = +Inf (upper >= +Inf)');
  assert.equal(evaluateConditions(text, ['lower < -1e300']).up, false);
  const om = ['# TYPE requests counter', 'requests_total{code="200"} 1027 # {trace_id="KOO5S4vxi0o"} 0.67', '# TYPE tz gauge', 'tz 3 1712345678.123', '# EOF', ''].join('\n');
  assert.equal(evaluateConditions(om, ['requests_total > 1000'], 'openmetrics').up, false);
  assert.equal(evaluateConditions(om, ['tz == 3'], 'openmetrics').up, false);
  assert.match(evaluateConditions(`${om}after 1\n`, [], 'openmetrics').reason!, /line 6: unexpected data after # EOF/);
});

test('garbage bodies fail the probe', () => {
  assert.match(evaluateConditions('<html><body>Bad Gateway</body></html>', []).reason!, /^not Prometheus metrics: line 1: expected a metric name/);
  assert.match(evaluateConditions('up{job="x" 1', []).reason!, /^not Prometheus metrics: line 1: /);
  assert.match(evaluateConditions('up 1\nup one\n', []).reason!, /^not Prometheus metrics: line 2: invalid value "one" for up/);
  assert.match(evaluateConditions('{"status":"ok"}', []).reason!, /^not Prometheus metrics/);
  assert.equal(evaluateConditions('', []).reason, 'no metrics in the response');
  assert.equal(evaluateConditions('# HELP only comments\n', []).reason, 'no metrics in the response');
});

test('condition syntax is checked when the config is loaded', () => {
  const ok = ['a > 0', 'a{b="c"} >= 1.5', 'a{b=~"x|y",c!="d"} == NaN', 'up != 1', 'x <= -Inf', 'm{l="with \\" quote"} < 1e3'];
  for (const c of ok) assert.ok(!('error' in parseCondition(c)), c);
  const bad: [string, RegExp][] = [
    ['> 0', /metric name/],
    ['a', /OP number/],
    ['a = 1', /OP number/],
    ['a > lots', /not a number/],
    ['a{b=c} > 1', /label matcher/],
    ['a{b=~"("} > 1', /not a valid regular expression/],
    ['a{b="c" d="e"} > 1', /expected , or }/],
  ];
  for (const [c, re] of bad) {
    const r = parseCondition(c);
    assert.ok('error' in r && re.test(r.error), `${c}: ${JSON.stringify(r)}`);
  }
  const parsed = exporterSchema.safeParse({ url: 'http://127.0.0.1:9308/metrics', conditions: ['kafka_brokers < 3', 'broken >'] });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error?.issues.map((i) => [i.path.join('.'), i.message]), [['conditions.1', 'invalid condition: must be "metric OP number" with OP one of > >= < <= == !=']]);
  assert.equal(exporterSchema.safeParse({ url: 'http://h/metrics', condition: 'a > 1' }).success, false);
});
