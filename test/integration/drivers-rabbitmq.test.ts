import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startRecordedHttp, type TinyHttp } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';
import { HEALTHCHECK_OK, NODES_ONE, NODES_PARTITIONED, QUEUES, UNAUTHORIZED } from '../support/servers/recorded-rabbitmq';

const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const probe = (fields: Record<string, unknown>) => timedProbe('rabbitmq', fields, 3000).then((r) => r.obs);
const json = (v: unknown, status = 200) => ({ status, body: JSON.stringify(v), type: 'application/json' });

describe('rabbitmq driver: real AMQP broker, recorded management API over HTTP', () => {
  const servers: TinyHttp[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  test('AMQP connect + channel on the real broker; server properties in details', async () => {
    const obs = await probe({ url: AMQP_URL });
    assert.equal(obs.up, true, obs.reason);
    assert.equal(obs.details?.product, 'RabbitMQ');
    assert.match(String(obs.details?.version), /^\d+\.\d+/);
    assert.equal(typeof obs.details?.cluster_name, 'string');
  });

  test('a wrong password, an unknown vhost and a closed port are short reasons without the secret', async () => {
    const u = new URL(AMQP_URL);
    u.password = 'Wr0ng-Rabbit-pw';
    const auth = await probe({ url: u.toString() });
    assert.deepEqual([auth.up, auth.reason], [false, 'authentication failed (ACCESS_REFUSED)']);
    assert.ok(!JSON.stringify(auth).includes('Wr0ng-Rabbit-pw'));
    const v = new URL(AMQP_URL);
    v.pathname = '/no-such-vhost';
    const vhost = await probe({ url: v.toString() });
    assert.deepEqual([vhost.up, vhost.reason], [false, 'vhost not allowed: no-such-vhost (missing, or no permission for this user)']);
    const closed = await probe({ url: `amqp://guest:guest@127.0.0.1:${await freePort()}/` });
    assert.deepEqual([closed.up, closed.reason], [false, 'connection refused']);
  });

  test('management API (recorded): healthy single node, with the AMQP credentials sent as basic auth', async () => {
    const mgmt = await startRecordedHttp({ '/api/healthchecks/node': json(HEALTHCHECK_OK), '/api/nodes': json(NODES_ONE), '/api/queues': json(QUEUES) });
    servers.push(mgmt);
    const obs = await probe({ url: AMQP_URL, management_url: mgmt.origin });
    assert.equal(obs.up, true);
    assert.equal(obs.warning, undefined);
    assert.deepEqual(obs.peers?.map((p) => [p.id, p.state]), [['rabbit@localhost', 'running']]);
    assert.deepEqual((obs.details?.queues as { messages: number }).messages, 7);
    assert.equal(mgmt.hits.length, 3);
  });

  test('management API (recorded): partitions and alarms warn but AMQP keeps the broker up; 401 warns', async () => {
    const bad = await startRecordedHttp({ '/api/nodes': json(NODES_PARTITIONED), '/api/queues': json(QUEUES) });
    servers.push(bad);
    const obs = await probe({ url: AMQP_URL, management_url: bad.origin });
    assert.equal(obs.up, true);
    assert.equal(obs.warning, 'network partition: rabbit@mq1 cannot see rabbit@mq3; memory alarm on rabbit@mq2; node rabbit@mq3 not running; network partition: rabbit@mq3 cannot see rabbit@mq1');
    const denied = await startRecordedHttp({ '/api/healthchecks/node': json(UNAUTHORIZED, 401), '/api/nodes': json(UNAUTHORIZED, 401), '/api/queues': json(UNAUTHORIZED, 401) });
    servers.push(denied);
    const d = await probe({ url: AMQP_URL, management_url: `http://monitor:Mgmt-S3cret@127.0.0.1:${denied.port}` });
    assert.equal(d.up, true);
    assert.match(d.warning!, /^management health check: status 401 \(check credentials\)/);
    assert.ok(!JSON.stringify(d).includes('Mgmt-S3cret'));
  });
});
