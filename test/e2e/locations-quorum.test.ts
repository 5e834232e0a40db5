import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, chromiumMissing } from '../support/chromium';
import { freshDatabase } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { startBreakableTarget, startWebhookReceiver, type BreakableTarget, type WebhookHit, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { getJson, getText, parseMetrics, sleep, waitFor } from '../support/wait';

const SECRET = `whsec_${Buffer.from('locations-quorum-webhook-key-012345').toString('base64')}`;
const LOCATIONS = ['dc1', 'dc2', 'dc3'];

/**
 * Three probers, one per location (NINES_LOCATION), on one host, PostgreSQL and Redis: every
 * location probes every target, the verdict of their votes is what alerts and probe_success say,
 * and a change is notified once, not once per location. Here all locations see the same network,
 * so they agree; a location cut off from the targets, a partition and split brain seen from
 * outside need network namespaces: test/e2e/locations.test.ts.
 */
describe('three locations on one host: votes, the quorum verdict, a location that stops', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let redis: RedisNode;
  let redisDir: { path: string; remove(): void };
  let hooks: WebhookReceiver;
  let a: BreakableTarget;
  let b: BreakableTarget;
  let procs: NinesProcess[] = [];
  /** A second prober in dc1: the location's ticks are shared, each run once. */
  let dc1b: NinesProcess;
  /** Target c counts its requests. */
  let counted: Server;
  const hitsOnC: number[] = [];

  before(async () => {
    redisDir = tempDir('locations-quorum');
    redis = await startRedis(redisDir.path);
    db = await freshDatabase('locations_quorum');
    hooks = await startWebhookReceiver({ '/hook': SECRET });
    a = await startBreakableTarget();
    b = await startBreakableTarget();
    counted = createServer((_req, res) => {
      hitsOnC.push(Date.now());
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => counted.listen(0, '127.0.0.1', () => r()));
    const config = writeConfig(`
defaults: { interval: 1s, timeout: 700ms }
targets:
  - { name: a, probe: { kind: http, url: "${a.url}" } }
  - { name: b, probe: { kind: http, url: "${b.url}" }, locations: [dc1, dc2], quorum: 2 }
  - { name: c, probe: { kind: http, url: "http://127.0.0.1:${(counted.address() as AddressInfo).port}/" }, locations: [dc1, dc2] }
alerting:
  receivers:
    - name: hook
      webhook: { url: "http://127.0.0.1:${hooks.port}/hook", secret: "${SECRET}", allow_private: true }
  route: { receiver: hook, group_by: [alertname, target, location], group_wait: 0s, group_interval: 2s, repeat_interval: 1h }
`);
    procs = await Promise.all(LOCATIONS.map((l) => startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redis.port}`, env: { NINES_LOCATION: l } })));
    dc1b = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redis.port}`, roles: 'prober', env: { NINES_LOCATION: 'dc1' } });
  });

  after(async () => {
    await Promise.all([...procs, dc1b].filter(Boolean).map((p) => p.stop()));
    await new Promise((r) => counted?.close(r));
    await a?.stop();
    await b?.stop();
    await hooks?.close();
    await redis?.kill();
    redisDir?.remove();
    await db?.drop();
  });

  const metrics = async (p = procs[0]) => parseMetrics((await getText(`${p.url}/metrics`)).text);
  const series = (m: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string>) =>
    m.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const notified = (hits: WebhookHit[], alertname: string) =>
    hits.flatMap((h) => {
      assert.equal(h.signature, 'ok');
      return (h.json?.alerts ?? []).filter((x: { labels: Record<string, string> }) => x.labels.alertname === alertname).map((x: { status: string; labels: Record<string, string> }) => `${x.labels.target ?? x.labels.location}:${x.status}`);
    });

  it('every location votes: per-location series beside the verdict, each location up', async () => {
    const m = await waitFor(
      'a vote from every location',
      async () => {
        const m = await metrics();
        const votes = series(m, 'nines_location_probe_success', {});
        return votes.filter((s) => s.labels.target === 'a').length === 3 && votes.filter((s) => s.labels.target === 'b').length >= 2 && series(m, 'probe_success', { target: 'a' }).length === 1 ? m : undefined;
      },
      30_000,
      200,
    );
    assert.deepEqual(series(m, 'nines_location_probe_success', { target: 'a' }).map((s) => [s.labels.location, s.value]).sort(), [['dc1', 1], ['dc2', 1], ['dc3', 1]]);
    assert.deepEqual(series(m, 'nines_location_probe_success', { target: 'b' }).map((s) => s.labels.location).sort(), ['dc1', 'dc2'], 'b is probed from dc1 and dc2 only');
    assert.deepEqual(series(m, 'nines_location_up', {}).map((s) => [s.labels.location, s.value]).sort(), [['dc1', 1], ['dc2', 1], ['dc3', 1]]);
    assert.equal(series(m, 'probe_success', { target: 'a' })[0].value, 1);
    const loc = await getJson(`${procs[1].url}/api/v1/locations`);
    assert.equal(loc.status, 200);
    assert.deepEqual(loc.body.locations.map((l: { name: string; up: boolean; probers: number; partition: unknown }) => [l.name, l.up, l.probers, l.partition]), [['dc1', true, 2, null], ['dc2', true, 1, null], ['dc3', true, 1, null]]);
    assert.deepEqual([loc.body.split_brain, loc.body.degraded], [[], []]);
  });

  it('each location runs each tick once, however many probers it has: two requests a second to a target of two locations', async () => {
    await sleep(2000); // both dc1 probers in the location's ring
    const from = Date.now();
    await sleep(8000);
    const n = hitsOnC.filter((t) => t >= from && t < from + 8000).length;
    // 8 ticks × 2 locations; three copies (dc1's two probers each running it) would be 24.
    assert.ok(n >= 14 && n <= 18, `${n} requests in 8 s`);
  });

  it('a real failure: every location sees it, TargetDown is notified once, probe_success 0', async () => {
    await a.stop();
    await waitFor('TargetDown notified', () => notified(hooks.hits, 'TargetDown').includes('a:firing'), 20_000);
    const m = await waitFor('the verdict on /metrics', async () => {
      const m = await metrics(procs[2]);
      return series(m, 'probe_success', { target: 'a' })[0]?.value === 0 && series(m, 'nines_location_probe_success', { target: 'a', location: 'dc3' })[0]?.value === 0 ? m : undefined;
    });
    assert.equal(series(m, 'probe_success', { target: 'b' })[0]?.value, 1);
    await sleep(4000); // group intervals and every location's next results
    assert.deepEqual(notified(hooks.hits, 'TargetDown'), ['a:firing'], 'once, not once per location');
    assert.deepEqual(notified(hooks.hits, 'TargetDownFromLocation'), [], 'all agree: not a location matter');
  });

  it('a location whose prober stops is noticed and its votes dropped; the others still decide', async () => {
    await procs[2].stop('SIGKILL');
    const m = await waitFor('dc3 down on /metrics', async () => {
      const m = await metrics();
      return series(m, 'nines_location_up', { location: 'dc3' })[0]?.value === 0 ? m : undefined;
    }, 20_000, 250);
    assert.deepEqual(series(m, 'nines_location_probe_success', { target: 'a', location: 'dc3' }), [], 'no vote shown for a stopped location');
    await waitFor('LocationDown notified', () => notified(hooks.hits, 'LocationDown').includes('dc3:firing'), 20_000);
    await a.start();
    await waitFor('a resolved from dc1 and dc2', () => notified(hooks.hits, 'TargetDown').includes('a:resolved'), 20_000);
    await sleep(4000);
    assert.deepEqual(notified(hooks.hits, 'TargetDown'), ['a:firing', 'a:resolved']);
    assert.deepEqual(notified(hooks.hits, 'LocationDown'), ['dc3:firing']);
    const ids = hooks.hits.map((h) => String(h.headers['webhook-id']));
    assert.equal(new Set(ids).size, ids.length, 'no notification sent twice');
    const loc = await getJson(`${procs[0].url}/api/v1/locations`);
    assert.deepEqual(loc.body.locations.map((l: { name: string; up: boolean }) => [l.name, l.up]), [['dc1', true], ['dc2', true], ['dc3', false]]);
  });

  it('the console overview shows where Nines probes from: two locations up, dc3 down', { skip: chromiumMissing }, async () => {
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
      const page = await browser.newPage({ viewport: { width: 375, height: 812 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${procs[0].url}/`);
      await page.locator('[data-location="dc3"] .badge').filter({ hasText: 'down' }).waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('[data-location="dc1"] .badge').textContent(), 'up');
      assert.match((await page.locator('[data-location="dc1"]').textContent()) ?? '', /2 probers/);
      assert.match((await page.locator('#loc-h').textContent()) ?? '', /2 up of 3/);
      const wide: number = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(wide <= 1, `the overview scrolls sideways by ${wide}px at 375 px`);
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
    }
  });
});
