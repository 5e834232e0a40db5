import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { freePort, startTinyHttp, type TinyHttp } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';

const probe = (fields: Record<string, unknown>) => timedProbe('vip', fields, 2000).then((r) => r.obs);

/** A node holding the VIP address: answers on the shared port and says who it is. */
const node = (name: string, port: number, status = 200) =>
  startTinyHttp((_req, res) => {
    res.writeHead(status, { 'x-served-by': name, 'content-type': 'text/plain' });
    res.end(`ok node=${name}\n`);
  }, port);

describe('vip driver: which node holds the address', () => {
  const open: { close(): Promise<void> }[] = [];
  after(() => Promise.all(open.map((s) => s.close())));

  test('the VIP moves from web1 to web2 and the holder follows, by header and by body', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/health`;
    let holder: TinyHttp = await node('web1', port);
    const byHeader = await probe({ probe: { kind: 'http', url }, identify: { header: 'X-Served-By' } });
    assert.deepEqual([byHeader.up, byHeader.leader, byHeader.details?.holder, byHeader.httpStatus], [true, 'web1', 'web1', 200]);

    await holder.close(); // failover: the address moves to the other node
    const gap = await probe({ probe: { kind: 'http', url }, identify: { header: 'X-Served-By' } });
    assert.deepEqual([gap.up, gap.reason, gap.leader], [false, 'connection refused', undefined]);

    holder = await node('web2', port);
    open.push(holder);
    const byBody = await probe({ probe: { kind: 'http', url, body_regex: '^ok' }, identify: { body_regex: 'node=(\\w+)' } });
    assert.deepEqual([byBody.up, byBody.leader], [true, 'web2']);
  });

  test('a VIP answering without a marker is down; the nested probe\'s own checks still decide', async () => {
    const anon = await startTinyHttp((_req, res) => res.end('hello'));
    open.push(anon);
    const obs = await probe({ probe: { kind: 'http', url: `${anon.origin}/` }, identify: { header: 'X-Served-By' } });
    assert.deepEqual([obs.up, obs.reason], [false, 'VIP answered but no node marker']);
    const sick = await node('web3', 0, 503);
    open.push(sick);
    const down = await probe({ probe: { kind: 'http', url: `${sick.origin}/` }, identify: { header: 'X-Served-By' } });
    assert.deepEqual([down.up, down.reason, down.leader], [false, 'status 503', 'web3']);
  });

  test('tcp VIP: the banner names the node', async () => {
    const srv = net.createServer((s) => s.end('220 mx2.example.net ESMTP ready\r\n'));
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    open.push({ close: () => new Promise<void>((r) => srv.close(() => r())) });
    const address = `127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
    const obs = await probe({ probe: { kind: 'tcp', address, expect: '^220 ' }, identify: { body_regex: '^220 (\\S+)' } });
    assert.deepEqual([obs.up, obs.leader], [true, 'mx2.example.net']);
  });
});
