import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { amqpReason, interpretManagement, rabbitmqSchema, type MgmtNode } from './rabbitmq.driver';

// GET /api/nodes and /api/queues from RabbitMQ 3.10.8 (fields the driver reads).
const NODE: MgmtNode = {
  name: 'rabbit@localhost',
  type: 'disc',
  running: true,
  partitions: [],
  mem_alarm: false,
  disk_free_alarm: false,
  mem_used: 137854976,
  mem_limit: 10110604083,
  disk_free: 84247777280,
  disk_free_limit: 50000000,
  fd_used: 37,
  fd_total: 1024,
  uptime: 1550406,
};
const QUEUES = [
  { name: 'nines-rec-audit', vhost: '/', type: 'classic', state: 'running', node: 'rabbit@localhost', messages: 0, messages_ready: 0, messages_unacknowledged: 0, consumers: 0 },
  { name: 'nines-rec-orders', vhost: '/', type: 'classic', state: 'running', node: 'rabbit@localhost', messages: 7, messages_ready: 7, messages_unacknowledged: 0, consumers: 0 },
];

test('a healthy node: peers and queue summary, no warning', () => {
  const m = interpretManagement({ healthcheck: { status: 'ok' }, nodes: [NODE], queues: QUEUES });
  assert.equal(m.warning, undefined);
  assert.deepEqual(m.peers?.map((p) => [p.id, p.state]), [['rabbit@localhost', 'running']]);
  assert.deepEqual(m.details?.queues, {
    count: 2,
    messages: 7,
    without_consumers: 2,
    top: [
      { name: 'nines-rec-orders', vhost: '/', messages: 7, consumers: 0, state: 'running' },
      { name: 'nines-rec-audit', vhost: '/', messages: 0, consumers: 0, state: 'running' },
    ],
  });
});

test('alarms, partitions, stopped nodes and crashed queues become one warning', () => {
  const m = interpretManagement({
    healthcheck: { status: 'failed', reason: 'resource alarm(s) in effect: [memory]' },
    nodes: [
      { ...NODE, name: 'rabbit@mq1', partitions: ['rabbit@mq3'] },
      { ...NODE, name: 'rabbit@mq2', mem_alarm: true, disk_free_alarm: true },
      { ...NODE, name: 'rabbit@mq3', running: false },
    ],
    queues: [{ ...QUEUES[1], state: 'crashed' }],
  });
  assert.equal(
    m.warning,
    'node health check failed: resource alarm(s) in effect: [memory]; network partition: rabbit@mq1 cannot see rabbit@mq3; memory alarm on rabbit@mq2; disk alarm on rabbit@mq2; node rabbit@mq3 not running; queue //nines-rec-orders is crashed',
  );
  assert.deepEqual([m.details?.nodes_running, m.details?.nodes_total], [2, 3]);
  assert.equal(m.peers?.[2].state, 'stopped');
});

test('management errors are warnings, never failures of the AMQP check', () => {
  const m = interpretManagement({ nodes: { error: 'management nodes: status 401 (check credentials)' } });
  assert.equal(m.warning, 'management nodes: status 401 (check credentials)');
});

test('handshake errors get short reasons', () => {
  assert.equal(amqpReason(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN."'), 1000), 'authentication failed (ACCESS_REFUSED)');
  // amqplib 2.x says only this when the broker refuses the vhost.
  assert.equal(amqpReason(new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'), 1000, 'orders'), 'vhost not allowed: orders (missing, or no permission for this user)');
  assert.equal(amqpReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 1000), 'connection refused');
});

test('schema: amqp(s) URLs only, strict', () => {
  assert.equal(rabbitmqSchema.safeParse({ url: 'amqp://guest:guest@127.0.0.1:5672/', management_url: 'http://127.0.0.1:15672' }).success, true);
  assert.equal(rabbitmqSchema.safeParse({ url: 'http://127.0.0.1:15672' }).success, false);
  assert.equal(rabbitmqSchema.safeParse({ url: 'amqp://h', vhost: '/' }).success, false);
});
