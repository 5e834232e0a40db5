import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, chromiumMissing } from '../support/chromium';
import { freshDatabase } from '../support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { reply, startHttpServer, type TestHttpServer } from '../support/servers/http';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';
import { waitFor } from '../support/wait';
import { artifactsDir } from '../support/artifacts';

/**
 * The public status page against a real Nines: off by default (404), then enabled by a config
 * reload, open without a token although tokens exist, showing only the published systems and
 * nothing internal, and accessible in a real browser (axe-core, light and dark, 375 px).
 */
const ARTIFACTS = artifactsDir();
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

describe('the public status page', () => {
  let dir: ReturnType<typeof tempDir>;
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: Client;
  let web: TestHttpServer;
  let nines: NinesProcess;
  let configPath: string;
  let nowhere: number;
  let token: string;

  const config = (statusPage: string) => `
defaults: { interval: 500ms, timeout: 400ms }
systems:
  - name: storefront
    layer: service
    kind: http
    labels: { team: secret-team-label }
    endpoint:
      probe: { kind: http, url: "${web.origin}/" }
  - name: payments
    layer: storage
    kind: postgres
    description: payments primary, internal notes
    members:
      - name: pay-node-7
        probe: { kind: tcp, address: "127.0.0.1:${nowhere}" }
  - name: internal-cache
    layer: cache
    kind: redis
    members:
      - name: cache-node-3
        probe: { kind: tcp, address: "127.0.0.1:${web.port}" }
${statusPage}
`;

  before(async () => {
    dir = tempDir('status-page');
    redis = await startRedis(dir.path);
    db = await freshDatabase('status_page');
    web = await startHttpServer((_req, res) => reply(res, 200, 'ok'));
    nowhere = await closedPort();
    configPath = writeConfig(config(''));
    nines = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0` });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await waitFor('storefront judged healthy', async () => (await sql.query(`select 1 from topology where system = 'storefront' and healthy`)).rowCount! > 0, 60_000, 200);
    await waitFor('payments incident open', async () => (await sql.query(`select 1 from incidents where state = 'open' and 'payments' = any(systems)`)).rowCount! > 0, 60_000, 200);
  });

  after(async () => {
    await nines?.stop();
    await sql?.end();
    await web?.close();
    redis?.kill();
    await db?.drop();
    dir?.remove();
  });

  it('is 404 while status_page is not enabled', async () => {
    const res = await fetch(`${nines.url}/status`);
    assert.equal(res.status, 404);
  });

  it('a reload enables it: open without a token even when tokens exist', async () => {
    writeFileSync(configPath, config('status_page: { enabled: true, title: "Acme status", systems: [storefront, payments] }'));
    const r = await fetch(`${nines.url}/api/v1/config/reload`, { method: 'POST' });
    assert.equal(r.status, 200, await r.text());
    // With a token in the database the API is closed; the status page stays open.
    const made = await fetch(`${nines.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', role: 'admin' }) });
    const body = await made.text();
    assert.equal(made.status, 201, body);
    token = (JSON.parse(body) as { token: string }).token;
    assert.equal((await fetch(`${nines.url}/api/v1/incidents`)).status, 401);
    const res = await fetch(`${nines.url}/status`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy')!, /^default-src 'none'/);
  });

  it('shows the published systems only, the incident in plain words, and nothing internal', async () => {
    const html = await (await fetch(`${nines.url}/status`)).text();
    assert.match(html, /<h1>Acme status<\/h1>/);
    assert.deepEqual([...html.matchAll(/data-system="([^"]+)"/g)].map((m) => m[1]), ['storefront', 'payments']);
    assert.match(html, /payments is (degraded|down or seriously disrupted) since \d+ \w+ \d{4}, \d\d:\d\d UTC\. The on-call engineer has been alerted\./);
    assert.match(html, /Some systems are disrupted/);
    assert.match(html, /<h3>payments<\/h3><span class="word w-(warn|bad)">(Degraded|Outage)/);
    assert.match(html, /<h3>storefront<\/h3><span class="word w-ok">Operational/);
    assert.equal((html.match(/<rect /g) ?? []).length, 180, '90 days for each system');
    assert.ok((html.match(/class="d-none"/g) ?? []).length >= 178, 'no data before today');
    // The incident's own title names the member; the page must not.
    const title: string = (await sql.query(`select title from incidents where 'payments' = any(systems) limit 1`)).rows[0].title;
    for (const secret of ['internal-cache', 'pay-node-7', 'cache-node-3', '127.0.0.1', String(nowhere), String(web.port), 'secret-team-label', 'internal notes', 'admin', title]) {
      assert.ok(!html.includes(secret), `the status page leaks ${JSON.stringify(secret)}`);
    }
    // What the API says about the same incident, for contrast: it is internal there.
    const api = await (await fetch(`${nines.url}/api/v1/incidents?state=open`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.ok(JSON.stringify(api).includes('pay-node-7') || JSON.stringify(api).includes(String(nowhere)), 'the incident does carry internal names, so the check above could fail');
  });

  it('in a real browser: readable at 375 px, no serious or critical axe-core violations in light and dark', { skip: chromiumMissing }, async () => {
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 812 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`${nines.url}/status`);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const w of [375, 1440]) {
          await page.setViewportSize({ width: w, height: w === 375 ? 812 : 900 });
          const wide: number = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
          assert.ok(wide <= 1, `${scheme} at ${w}px scrolls sideways by ${wide}px`);
          await page.screenshot({ path: join(ARTIFACTS, `status-${w}${scheme === 'dark' ? '-dark' : ''}.png`) });
        }
        await page.evaluate(AXE);
        const r: any = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`);
        const bad = (r.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.impact} ${v.id} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
        assert.deepEqual(bad, [], `${scheme}: axe-core serious or critical violations`);
      }
      assert.deepEqual(errors, [], 'no console errors (the CSP allows the page its one stylesheet)');
    } finally {
      await browser.close();
    }
  });
});
