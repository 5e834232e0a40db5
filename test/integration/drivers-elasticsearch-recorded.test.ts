import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRecordedHttp, type TinyHttp } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';
import { CAT_MASTER, HEALTH_GREEN, HEALTH_RED, HEALTH_YELLOW, NO_MASTER_503, SECURITY_401 } from '../support/servers/recorded-elasticsearch';

const probe = (fields: Record<string, unknown>) => timedProbe('elasticsearch', fields, 2000).then((r) => r.obs);
const json = (v: unknown, status = 200) => ({ status, body: JSON.stringify(v), type: 'application/json' });

describe('elasticsearch driver against recorded Elasticsearch responses over HTTP (recorded)', () => {
  const servers: TinyHttp[] = [];
  const serve = async (health: { status?: number; body: string; type?: string }, master = json(CAT_MASTER)) => {
    const s = await startRecordedHttp({ '/_cluster/health': health, '/_cat/master': master });
    servers.push(s);
    return s;
  };
  after(() => Promise.all(servers.map((s) => s.close())));

  test('green cluster: up, master as leader, both APIs asked', async () => {
    const s = await serve(json(HEALTH_GREEN));
    const obs = await probe({ url: s.origin });
    assert.equal(obs.up, true);
    assert.equal(obs.leader, 'YzWoH_2');
    assert.equal(obs.details?.relocating_shards, 2);
    assert.deepEqual(s.hits.sort(), ['/_cat/master?format=json', '/_cluster/health']);
  });

  test('yellow is up with a warning; red is down', async () => {
    const y = await probe({ url: (await serve(json(HEALTH_YELLOW))).origin });
    assert.deepEqual([y.up, y.warning], [true, 'cluster is yellow: 1 unassigned, 0 initializing, 0 relocating shards (replicas not allocated)']);
    const r = await probe({ url: (await serve(json(HEALTH_RED))).origin });
    assert.deepEqual([r.up, r.reason], [false, 'cluster elasticsearch is red: 5 unassigned, 0 initializing, 0 relocating shards']);
  });

  test('a path prefix in the URL (behind a proxy) is kept', async () => {
    const s = await startRecordedHttp({ '/es/_cluster/health': json(HEALTH_GREEN), '/es/_cat/master': json(CAT_MASTER) });
    servers.push(s);
    assert.equal((await probe({ url: `${s.origin}/es/` })).up, true);
  });

  test('no elected master (503) and missing credentials (401) are explained', async () => {
    const nm = await probe({ url: (await serve(json(NO_MASTER_503, 503), json(NO_MASTER_503, 503))).origin });
    assert.deepEqual([nm.up, nm.reason], [false, 'cluster health: no elected master (master_not_discovered_exception)']);
    const s = await serve(json(SECURITY_401, 401), json(SECURITY_401, 401));
    const u = new URL(s.origin);
    const auth = await probe({ url: `http://nines:Es-S3cret@${u.host}` });
    assert.equal(auth.up, false);
    assert.equal(auth.reason, 'cluster health: security_exception: missing authentication credentials for REST request [/_cluster/health]');
    assert.ok(!JSON.stringify(auth).includes('Es-S3cret'));
  });

  test('a body that is not Elasticsearch is a failed probe', async () => {
    const obs = await probe({ url: (await serve({ body: '<html>Kibana</html>', type: 'text/html' })).origin });
    assert.deepEqual([obs.up, obs.reason], [false, 'cluster health: body is not valid JSON']);
  });
});
