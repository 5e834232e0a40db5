/**
 * RabbitMQ management API responses recorded from RabbitMQ 3.10.8 (rabbitmq_management enabled
 * for the recording, then disabled): GET /api/nodes, /api/queues (trimmed to the fields the driver
 * reads), /api/healthchecks/node and the 401 body for a wrong password. The partitioned cluster
 * is the recorded node repeated with the alarms and partitions RabbitMQ reports in those fields.
 */
export const NODES_ONE = [
  {
    "name": "rabbit@localhost",
    "type": "disc",
    "running": true,
    "partitions": [],
    "mem_alarm": false,
    "disk_free_alarm": false,
    "mem_used": 137854976,
    "mem_limit": 10110604083,
    "disk_free": 84247777280,
    "disk_free_limit": 50000000,
    "fd_used": 37,
    "fd_total": 1024,
    "sockets_used": 0,
    "sockets_total": 832,
    "proc_used": 354,
    "proc_total": 1048576,
    "uptime": 1550406,
    "run_queue": 1,
    "processors": 2,
    "net_ticktime": 60,
    "rates_mode": "basic",
    "os_pid": "2928",
    "mem_calculation_strategy": "rss"
  }
];

export const QUEUES = [
  {
    "name": "nines-rec-audit",
    "vhost": "/",
    "type": "classic",
    "durable": false,
    "auto_delete": false,
    "exclusive": false,
    "state": "running",
    "node": "rabbit@localhost",
    "messages": 0,
    "messages_ready": 0,
    "messages_unacknowledged": 0,
    "consumers": 0,
    "consumer_utilisation": 0,
    "memory": 11544,
    "arguments": {},
    "policy": null
  },
  {
    "name": "nines-rec-orders",
    "vhost": "/",
    "type": "classic",
    "durable": false,
    "auto_delete": false,
    "exclusive": false,
    "state": "running",
    "node": "rabbit@localhost",
    "messages": 7,
    "messages_ready": 7,
    "messages_unacknowledged": 0,
    "consumers": 0,
    "consumer_utilisation": 0,
    "memory": 55440,
    "arguments": {},
    "policy": null
  }
];

export const HEALTHCHECK_OK = { status: 'ok' };

export const UNAUTHORIZED = { error: 'not_authorized', reason: 'Login failed' };

export const NODES_PARTITIONED = [
  { ...NODES_ONE[0], name: 'rabbit@mq1', partitions: ['rabbit@mq3'] },
  { ...NODES_ONE[0], name: 'rabbit@mq2', mem_alarm: true, mem_used: 10210604083 },
  { ...NODES_ONE[0], name: 'rabbit@mq3', running: false, partitions: ['rabbit@mq1'] },
];
