import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHaproxy, type HaproxyInstance } from '../support/servers/haproxy';
import { startTinyHttp, type TinyHttp } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';
import { waitFor } from '../support/wait';

const probe = (fields: Record<string, unknown>) => timedProbe('haproxy', fields, 2000).then((r) => r.obs);

describe('haproxy driver against a real HAProxy', () => {
  let lb: HaproxyInstance;
  let b1: TinyHttp;
  let b2: TinyHttp;
  let b3: TinyHttp;
  const ok = (name: string) => (_req: unknown, res: import('node:http').ServerResponse) => res.end(`hello from ${name}`);

  before(async () => {
    b1 = await startTinyHttp(ok('b1'));
    b2 = await startTinyHttp(ok('b2'));
    b3 = await startTinyHttp(ok('b3'));
    lb = await startHaproxy({
      web: [
        { name: 'b1', port: b1.port },
        { name: 'b2', port: b2.port },
      ],
      spare: [{ name: 's1', port: b3.port, backup: true }],
    });
    await waitFor(
      'HAProxy to see every server UP',
      async () => {
        const obs = await probe({ url: lb.csvUrl }).catch(() => undefined);
        return obs?.up && !obs.warning && obs.peers?.length === 3 ? obs : undefined;
      },
      10_000,
    ).catch((err) => {
      throw new Error(`${err.message}\nhaproxy output:\n${lb.output()}`);
    });
  });

  after(async () => {
    await lb?.stop();
    await Promise.all([b1, b2, b3].map((s) => s?.close()));
  });

  test('healthy pool over CSV: every server UP, backends counted', async () => {
    const obs = await probe({ url: lb.csvUrl });
    assert.equal(obs.up, true);
    assert.equal(obs.warning, undefined);
    assert.deepEqual(obs.details?.backends, [
      { name: 'web', active_up: 2, active_total: 2, backup_up: 0, backup_total: 0 },
      { name: 'spare', active_up: 0, active_total: 0, backup_up: 1, backup_total: 1 },
    ]);
    assert.deepEqual(obs.peers?.map((p) => `${p.id}=${p.state}`), ['web/b1=UP', 'web/b2=UP', 'spare/s1=UP']);
  });

  test('stopping one backend degrades the pool, stopping both takes it down', async () => {
    await b2.close();
    const degraded = await waitFor('pool degraded', async () => {
      const obs = await probe({ url: lb.csvUrl, backend: 'web' });
      return obs.warning ? obs : undefined;
    });
    assert.equal(degraded.up, true);
    assert.match(degraded.warning!, /^pool degraded: web\/b2 (DOWN|UP 1\/2) \(L4CON\)$/);
    const settled = await waitFor('b2 DOWN', async () => {
      const obs = await probe({ url: lb.csvUrl, backend: 'web' });
      return obs.warning === 'pool degraded: web/b2 DOWN (L4CON)' ? obs : undefined;
    });
    assert.deepEqual(settled.details?.backends, [{ name: 'web', active_up: 1, active_total: 2, backup_up: 0, backup_total: 0 }]);

    // The Prometheus endpoint of the same HAProxy tells the same story.
    const prom = await probe({ url: lb.metricsUrl, backend: 'web' });
    assert.equal(prom.up, true);
    assert.equal(prom.warning, 'pool degraded: web/b2 DOWN (L4CON)');
    assert.equal(prom.details?.format, 'prometheus');

    await b1.close();
    const down = await waitFor('pool down', async () => {
      const obs = await probe({ url: lb.csvUrl, backend: 'web' });
      return obs.up ? undefined : obs;
    });
    assert.match(down.reason!, /^backend web has no UP server \(web\/b1 (DOWN|UP 1\/2) \(L4CON\), web\/b2 DOWN \(L4CON\)\)$/);
    // The other backend is unaffected and can be watched on its own.
    assert.equal((await probe({ url: lb.csvUrl, backend: 'spare' })).up, true);
  });

  test('a wrong stats path or a dead stats port is a failed probe with a short reason', async () => {
    const wrong = await probe({ url: `http://127.0.0.1:${lb.statsPort}/nope` });
    assert.equal(wrong.up, false);
    assert.match(wrong.reason!, /^stats page: status (404|503)$|neither HAProxy stats CSV/);
    const dead = await probe({ url: `http://127.0.0.1:${b2.port}/stats;csv` });
    assert.deepEqual([dead.up, dead.reason], [false, 'stats page: connection refused']);
  });

  test('basic-auth credentials in the URL never appear in a reason', async () => {
    const obs = await probe({ url: `http://admin:S3cret-hx@127.0.0.1:${b2.port}/stats;csv` });
    assert.equal(obs.up, false);
    assert.ok(!JSON.stringify(obs).includes('S3cret-hx'));
  });
});
