import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { freshDatabase } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { startWebhookReceiver, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { getJson, waitFor } from '../support/wait';

const SECRET = `whsec_${Buffer.from('events-ingest-webhook-key-0123456789').toString('base64')}`;

/** A plain HTTP server on one loopback address (127.0.0.2, 127.0.0.3 …: all of 127/8 is local). */
async function serveOn(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** POSTs JSON from a chosen local address, as a keepalived host on that address would. */
function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Events pushed to Nines by other systems, through a real Nines process: keepalived's notify hook
 * (with and without the node's name), Alertmanager's webhook v4 (a Prometheus alert joins an
 * incident and Nines' own routing), and generic events; bad payloads are 400 with the field.
 */
describe('event ingest: keepalived, Alertmanager and generic events (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: Client;
  let redis: RedisNode;
  let redisDir: { path: string; remove(): void };
  let hooks: WebhookReceiver;
  let nines: NinesProcess;
  const servers: Server[] = [];

  const post = (path: string, body: unknown) =>
    getJson(`${nines.url}/api/v1/events/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const events = async (system: string) =>
    (await sql.query(`select kind, member, details from events where system = $1 order by id`, [system])).rows as { kind: string; member: string | null; details: Record<string, any> }[];

  before(async () => {
    redisDir = tempDir('events-ingest');
    redis = await startRedis(redisDir.path);
    db = await freshDatabase('events_ingest');
    hooks = await startWebhookReceiver({ '/hook': SECRET });
    const lb1 = await serveOn('127.0.0.2');
    const lb2 = await serveOn('127.0.0.3');
    const orders = await serveOn('127.0.0.1');
    servers.push(lb1.server, lb2.server, orders.server);
    const config = writeConfig(`
defaults: { interval: 500ms, timeout: 400ms }
systems:
  - name: edge-vip
    layer: network
    kind: keepalived
    members:
      - name: lb1
        probe: { kind: http, url: "http://127.0.0.2:${lb1.port}/" }
      - name: lb2
        probe: { kind: http, url: "http://127.0.0.3:${lb2.port}/" }
  - name: orders
    layer: service
    kind: http
    endpoint:
      probe: { kind: http, url: "http://127.0.0.1:${orders.port}/" }
alerting:
  receivers:
    - name: hook
      webhook: { url: "http://127.0.0.1:${hooks.port}/hook", secret: "${SECRET}", allow_private: true }
  route: { receiver: hook, group_by: [alertname, system], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redis.port}` });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await waitFor(
      'edge-vip and orders observed healthy',
      async () => (await sql.query(`select system from topology where healthy order by system`)).rows.map((r) => r.system).join(',') === 'edge-vip,orders',
      20_000,
    );
  });

  after(async () => {
    await nines?.stop();
    await sql?.end().catch(() => undefined);
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await hooks?.close();
    await redis?.kill();
    redisDir?.remove();
    await db?.drop();
  });

  it('keepalived with the node named: lb1 MASTER, then lb2 MASTER is a VIP move on an incident timeline', async () => {
    const first = await post('keepalived', { type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 150, node: 'lb1' });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const moved = await post('keepalived', { type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100, node: 'lb2' });
    assert.equal(moved.status, 202, JSON.stringify(moved.body));
    assert.equal(moved.body.incidents.length, 1, JSON.stringify(moved.body));
    const vip = (await events('edge-vip')).find((e) => e.kind === 'vip_moved');
    assert.ok(vip, JSON.stringify(await events('edge-vip')));
    assert.equal(vip.details.from, 'lb1');
    assert.equal(vip.details.to, 'lb2');
    const timeline = await getJson(`${nines.url}/api/v1/incidents/${moved.body.incidents[0]}/timeline`);
    assert.ok(timeline.body.timeline.some((e: { kind: string }) => e.kind === 'vip_moved'), JSON.stringify(timeline.body));
  });

  it("keepalived's four arguments alone: the node is the member probed at the sender's address", async () => {
    // From lb1's address, as keepalived's notify script on lb1 would send it: the VIP moves back.
    const back = await postFrom('127.0.0.2', `${nines.url}/api/v1/events/keepalived`, { type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 150 });
    assert.equal(back.status, 202, JSON.stringify(back.body));
    const vip = (await events('edge-vip')).filter((e) => e.kind === 'vip_moved').pop()!;
    assert.equal(vip.member, 'lb1');
    assert.deepEqual([vip.details.from, vip.details.to], ['lb2', 'lb1']);
    const backup = await postFrom('127.0.0.3', `${nines.url}/api/v1/events/keepalived`, { type: 'INSTANCE', name: 'VI_1', state: 'BACKUP', priority: 100 });
    assert.equal(backup.status, 202, JSON.stringify(backup.body));
    assert.equal((await events('edge-vip')).pop()!.member, 'lb2');

    // A host name that is no member's (keepalived-notify.sh sends $(hostname)): the address decides.
    const hostname = await postFrom('127.0.0.3', `${nines.url}/api/v1/events/keepalived`, { type: 'INSTANCE', name: 'VI_1', state: 'FAULT', priority: 0, node: 'edge-lb-b.example.net' });
    assert.equal(hostname.status, 202, JSON.stringify(hostname.body));
    const fault = (await events('edge-vip')).pop()!;
    assert.equal(fault.member, 'lb2');
    assert.equal(fault.details.state, 'FAULT');
    const recovered = await postFrom('127.0.0.3', `${nines.url}/api/v1/events/keepalived`, { type: 'INSTANCE', name: 'VI_1', state: 'BACKUP', priority: 100, node: 'edge-lb-b.example.net' });
    assert.equal(recovered.status, 202, JSON.stringify(recovered.body));

    // An address no member is probed at: the caller is told what to send.
    const stranger = await postFrom('127.0.0.9', `${nines.url}/api/v1/events/keepalived`, { type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 200 });
    assert.equal(stranger.status, 400, JSON.stringify(stranger.body));
    assert.equal(stranger.body.error.details.field, 'node');
    assert.match(stranger.body.error.message, /node is required.*127\.0\.0\.9/);
  });

  it('bad keepalived and generic payloads are 400 naming the field, and change nothing', async () => {
    const before = (await sql.query(`select count(*)::int as n from events`)).rows[0].n;
    const cases: [string, unknown, string | undefined][] = [
      ['keepalived', { name: 'VI_1', state: 'PANIC', node: 'lb1' }, 'state'],
      ['keepalived', { name: 'VI_1', node: 'lb1' }, 'state'],
      ['keepalived', { name: 'VI_1', state: 'MASTER', node: 'lb9' }, 'system'],
      ['keepalived', { name: 'VI_1', state: 'MASTER', node: { x: 1 } }, 'node'],
      ['keepalived', [1, 2], undefined],
      ['generic', { system: 'orders' }, 'message'],
      ['generic', { system: 'orders', message: 'm', severity: 'apocalyptic' }, 'severity'],
      ['generic', { system: 'orders', message: 'm', at: 'yesterday' }, 'at'],
      ['alertmanager', { version: '3', alerts: [] }, 'version'],
      ['alertmanager', { version: '4', alerts: 'firing' }, 'alerts'],
      ['alertmanager', { version: '4', alerts: [null] }, 'alerts[0]'],
    ];
    for (const [path, body, field] of cases) {
      const r = await post(path, body);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.error.message, 'string');
      if (field) assert.equal(r.body.error.details.field, field, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    }
    const malformed = await post('generic', '{"system": ');
    assert.equal(malformed.status, 400);
    assert.equal((await sql.query(`select count(*)::int as n from events`)).rows[0].n, before);
  });

  const amAlert = (status: 'firing' | 'resolved') => ({
    version: '4',
    groupKey: '{}:{alertname="OrdersErrorRate"}',
    status,
    receiver: 'nines',
    groupLabels: { alertname: 'OrdersErrorRate' },
    commonLabels: { alertname: 'OrdersErrorRate', system: 'orders', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status,
        labels: { alertname: 'OrdersErrorRate', system: 'orders', severity: 'critical', instance: 'orders-1:8080' },
        annotations: { summary: '5xx ratio 12% over 5m' },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example:9090/graph',
        fingerprint: 'c0ffee0123456789',
      },
    ],
  });

  it('an Alertmanager alert joins an incident of its system and reaches the receiver through Nines’ routing under its own name; resolved clears both', async (t) => {
    const sentAt = Date.now();
    const firing = await post('alertmanager', amAlert('firing'));
    assert.equal(firing.status, 202, JSON.stringify(firing.body));
    assert.equal(firing.body.accepted, 1);
    const open = await waitFor('an open incident on orders', async () => (await getJson(`${nines.url}/api/v1/incidents?state=open&system=orders`)).body.incidents?.[0]);
    const ext = (await events('orders')).find((e) => e.kind === 'external');
    assert.equal(ext?.details.alertname, 'OrdersErrorRate');
    assert.equal(ext?.member, 'orders-1:8080');
    // Alertmanager sends a firing alert again (repeat_interval, the other replica of an HA pair): nothing new.
    assert.equal((await post('alertmanager', amAlert('firing'))).status, 202);
    assert.equal((await events('orders')).filter((e) => e.kind === 'external').length, 1, 'a repeated firing alert is one event');

    const paged = await waitFor('OrdersErrorRate firing at the receiver', () =>
      hooks.hits.find((h) => h.json?.alerts?.some((a: any) => a.labels?.alertname === 'OrdersErrorRate' && a.labels?.system === 'orders' && a.status === 'firing')),
    15_000);
    assert.equal(paged.signature, 'ok');
    t.diagnostic(`Alertmanager POST → the alert at the receiver: ${paged.at - sentAt} ms`);
    // It keeps its own name, severity and labels, so routes written for Alertmanager still match it.
    const alert = paged.json.alerts.find((a: any) => a.labels.alertname === 'OrdersErrorRate');
    assert.equal(alert.labels.severity, 'critical');
    assert.equal(alert.labels.instance, 'orders-1:8080');
    assert.equal(alert.labels.source, 'alertmanager');
    assert.match(JSON.stringify(alert), /5xx ratio 12% over 5m/);

    const resolvedAt = Date.now();
    const resolved = await post('alertmanager', amAlert('resolved'));
    assert.equal(resolved.status, 202, JSON.stringify(resolved.body));
    assert.equal((await post('alertmanager', amAlert('resolved'))).status, 202);
    const cleared = await waitFor('OrdersErrorRate resolved at the receiver', () =>
      hooks.hits.find((h) => h.json?.alerts?.some((a: any) => a.labels?.alertname === 'OrdersErrorRate' && a.labels?.system === 'orders' && a.status === 'resolved')),
    15_000);
    t.diagnostic(`resolved POST → resolved at the receiver: ${cleared.at - resolvedAt} ms`);
    await waitFor('the incident resolved', async () => (await getJson(`${nines.url}/api/v1/incidents/${open.id}`)).body.state === 'resolved', 15_000);
    const ids = hooks.hits.map((h) => String(h.headers['webhook-id']));
    assert.equal(new Set(ids).size, ids.length, 'no notification sent twice');
    assert.equal((await events('orders')).filter((e) => e.kind === 'external').length, 2, 'firing and resolved, once each');
    const sent = hooks.hits.flatMap((h) => h.json?.alerts ?? []).filter((a: any) => a.labels?.alertname === 'OrdersErrorRate').map((a: any) => a.status);
    assert.deepEqual(sent, ['firing', 'resolved']);
  });

  it('an Alertmanager alert about a system Nines does not probe opens an incident and is routed too; resolved clears both', async () => {
    const disk = (status: 'firing' | 'resolved') => ({
      version: '4',
      status,
      alerts: [{ status, labels: { alertname: 'DiskFull', job: 'backup-host', severity: 'warning' }, annotations: { summary: '/var 98%' }, startsAt: new Date().toISOString(), fingerprint: 'd15cf011' }],
    });
    const r = await post('alertmanager', disk('firing'));
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const open = await waitFor('an open incident on backup-host', async () => (await getJson(`${nines.url}/api/v1/incidents?state=open&system=backup-host`)).body.incidents?.[0]);
    const hit = await waitFor('DiskFull firing at the receiver', () => hooks.hits.find((h) => h.json?.alerts?.some((a: any) => a.labels?.alertname === 'DiskFull' && a.status === 'firing')), 15_000);
    const alert = hit.json.alerts.find((a: any) => a.labels.alertname === 'DiskFull');
    assert.equal(alert.labels.system, 'backup-host');
    assert.equal(alert.labels.severity, 'warning');
    assert.equal((await post('alertmanager', disk('resolved'))).status, 202);
    await waitFor('DiskFull resolved at the receiver', () => hooks.hits.some((h) => h.json?.alerts?.some((a: any) => a.labels?.alertname === 'DiskFull' && a.status === 'resolved')), 15_000);
    await waitFor('the backup-host incident resolved', async () => (await getJson(`${nines.url}/api/v1/incidents/${open.id}`)).body.state === 'resolved', 15_000);
    const history = await getJson(`${nines.url}/api/v1/alerts/history?alertname=DiskFull`);
    assert.deepEqual(history.body.history?.map((h: any) => h.transition).reverse(), ['pending', 'firing', 'resolved'], JSON.stringify(history.body));
  });
});
