import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNginx, type NginxInstance } from '../support/servers/nginx';
import { freePort, startTinyHttp, type TinyHttp } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';
import { waitFor } from '../support/wait';

const probe = (fields: Record<string, unknown>) => timedProbe('nginx', fields, 3000).then((r) => r.obs);

describe('nginx driver against a real nginx', () => {
  let nginx: NginxInstance;
  let app: TinyHttp;
  let appPort: number;

  before(async () => {
    appPort = await freePort();
    app = await startTinyHttp((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404);
      res.end('ok');
    }, appPort);
    nginx = await startNginx(appPort);
    await waitFor('nginx to listen', async () => (await probe({ url: nginx.statusUrl })).up || undefined, 10_000).catch((err) => {
      throw new Error(`${err.message}\nnginx output:\n${nginx.output()}`);
    });
  });

  after(async () => {
    await nginx?.stop();
    await app?.close();
  });

  test('stub_status counters are reported', async () => {
    const obs = await probe({ url: nginx.statusUrl });
    assert.equal(obs.up, true);
    const d = obs.details as Record<string, number>;
    for (const k of ['active', 'accepts', 'handled', 'requests', 'reading', 'writing', 'waiting']) assert.equal(typeof d[k], 'number', k);
    assert.ok(d.active >= 1 && d.requests >= 1);
  });

  test('upstream health as seen through the proxy: 200, then 502 once the upstream stops', async () => {
    const healthy = await probe({ url: nginx.statusUrl, upstream_url: nginx.proxiedUrl });
    assert.equal(healthy.up, true);
    assert.equal(healthy.details?.upstream_status, 200);
    assert.equal((await probe({ url: nginx.statusUrl, upstream_url: `http://127.0.0.1:${nginx.port}/app/missing`, expect_status: [404] })).up, true);
    await app.close();
    const down = await probe({ url: nginx.statusUrl, upstream_url: nginx.proxiedUrl });
    assert.equal(down.up, false);
    assert.equal(down.reason, 'upstream via proxy: status 502 (bad gateway: upstream down)');
  });

  test('a page that is not stub_status, or no nginx at all, fails the probe', async () => {
    const wrong = await probe({ url: `http://127.0.0.1:${nginx.port}/app/health` });
    assert.equal(wrong.up, false);
    assert.match(wrong.reason!, /^stub_status: status 502$|not nginx stub_status/);
    const gone = await probe({ url: `http://127.0.0.1:${appPort}/nginx_status` });
    assert.deepEqual([gone.up, gone.reason], [false, 'stub_status: connection refused']);
  });
});
