import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRecordedHttp, type TinyHttp } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';
import { CONSUL_REDIS_PASSING, NACOS_INSTANCE_LIST, NACOS_SERVICE_NOT_FOUND } from '../support/servers/recorded-registries';

const probe = (fields: Record<string, unknown>) => timedProbe('registry', fields, 2000).then((r) => r.obs);
const json = (v: unknown, status = 200) => ({ status, body: JSON.stringify(v), type: 'application/json' });

describe('registry driver (consul, nacos) against recorded API answers over HTTP (recorded)', () => {
  const servers: TinyHttp[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const serve = async (routes: Parameters<typeof startRecordedHttp>[0]) => {
    const s = await startRecordedHttp(routes);
    servers.push(s);
    return s;
  };

  test('consul: passing instances of a service, with the ACL token sent', async () => {
    const s = await serve({ '/v1/health/service/redis?passing': json(CONSUL_REDIS_PASSING), '/v1/health/service/empty?passing': json([]), '/v1/health/service/locked?passing': { status: 403, body: 'ACL not found' } });
    const obs = await probe({ backend: 'consul', url: s.origin, service: 'redis', min_instances: 2, token: 'c0nsul-acl-token' });
    assert.equal(obs.up, true);
    assert.deepEqual(obs.peers?.map((p) => [p.id, p.details?.node]), [
      ['10.1.10.12:8000', 'foobar'],
      ['10.1.10.13:8000', 'foobaz'],
    ]);
    assert.deepEqual(s.hits, ['/v1/health/service/redis?passing']);
    assert.equal(s.headers[0]['x-consul-token'], 'c0nsul-acl-token');
    const three = await probe({ backend: 'consul', url: s.origin, service: 'redis', min_instances: 3 });
    assert.deepEqual([three.up, three.reason], [false, '2 of min 3 instances']);
    const none = await probe({ backend: 'consul', url: s.origin, service: 'empty' });
    assert.deepEqual([none.up, none.reason], [false, '0 of min 1 instances']);
    const denied = await probe({ backend: 'consul', url: s.origin, service: 'locked', token: 'c0nsul-acl-token' });
    assert.deepEqual([denied.up, denied.reason], [false, 'consul: status 403 (check credentials)']);
    assert.ok(!JSON.stringify(denied).includes('c0nsul-acl-token'));
  });

  test('nacos: healthy instances, namespace and group passed, /nacos prefix added once', async () => {
    const s = await serve({ '/nacos/v1/ns/instance/list': json(NACOS_INSTANCE_LIST) });
    const obs = await probe({ backend: 'nacos', url: s.origin, service: 'nacos.test.1', namespace: 'prod', group: 'DEFAULT_GROUP', min_instances: 2 });
    assert.equal(obs.up, true, obs.reason);
    assert.deepEqual(obs.peers?.map((p) => p.id), ['10.10.10.10:8888', '10.10.10.11:8888']);
    const q = new URL(s.hits[0], s.origin).searchParams;
    assert.deepEqual([q.get('serviceName'), q.get('healthyOnly'), q.get('namespaceId'), q.get('groupName')], ['nacos.test.1', 'true', 'prod', 'DEFAULT_GROUP']);
    assert.equal((await probe({ backend: 'nacos', url: `${s.origin}/nacos`, service: 'nacos.test.1' })).up, true);
  });

  test('nacos: an unknown service (Nacos answers 500 with text) and a non-JSON body fail clearly', async () => {
    const s = await serve({ '/nacos/v1/ns/instance/list': { status: 500, body: NACOS_SERVICE_NOT_FOUND } });
    assert.deepEqual(await probe({ backend: 'nacos', url: s.origin, service: 'nacos.test.404' }).then((o) => [o.up, o.reason]), [false, 'nacos: status 500']);
    const html = await serve({ '/nacos/v1/ns/instance/list': { body: '<html>login</html>', type: 'text/html' } });
    assert.deepEqual(await probe({ backend: 'nacos', url: html.origin, service: 'x' }).then((o) => [o.up, o.reason]), [false, 'nacos: body is not valid JSON']);
  });
});
