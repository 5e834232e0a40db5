import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, chromiumMissing } from '../support/chromium';
import { freshDatabase } from '../support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { reply, startHttpServer, type TestHttpServer } from '../support/servers/http';
import { startPostgresPair, type PostgresPair } from '../support/servers/postgres-pair';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';
import { startWebhookReceiver, type WebhookReceiver } from '../support/servers/webhook-receiver';
import { waitFor } from '../support/wait';
import { artifactsDir } from '../support/artifacts';

/**
 * The on-call console in a real browser (Debian's chromium through playwright-core) against a
 * real Nines watching a real PostgreSQL primary + standby, with its own Redis and a real webhook
 * receiver counting what is sent.
 */
const ARTIFACTS = artifactsDir();
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

describe('the on-call console in a real browser', { skip: chromiumMissing }, () => {
  let dir: ReturnType<typeof tempDir>;
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: Client;
  let pg: PostgresPair;
  let web: TestHttpServer;
  let hooks: WebhookReceiver;
  let nines: NinesProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  /** Paths of the test web server that answer 503. */
  const failing = new Set<string>();

  before(async () => {
    dir = tempDir('console');
    redis = await startRedis(dir.path);
    db = await freshDatabase('console');
    pg = await startPostgresPair();
    web = await startHttpServer((req, res) => (failing.has(req.url.split('?')[0]) ? reply(res, 503, 'down for the test') : reply(res, 200, 'ok')));
    hooks = await startWebhookReceiver();
    const nowhere = await closedPort();
    const config = writeConfig(`
defaults: { interval: 500ms, timeout: 400ms }
systems:
  - name: db
    layer: storage
    kind: postgres
    description: orders primary + standby
    expect: { primaries: 1, min_replicas: 1 }
    members:
      - name: pg1
        probe: { kind: postgres, url: "${pg.url(pg.primaryPort)}" }
      - name: pg2
        probe: { kind: postgres, url: "${pg.url(pg.replicaPort)}" }
  - name: web
    layer: service
    kind: http
    depends_on: [db]
    endpoint:
      probe: { kind: http, url: "${web.origin}/" }
targets:
  - name: homepage
    probe: { kind: http, url: "${web.origin}/home" }
  - name: gone
    probe: { kind: tcp, address: "127.0.0.1:${nowhere}" }
slos:
  - name: db-availability
    selector: { system: db }
    objective: 99.9
    window: 30d
alerting:
  receivers:
    - name: oncall
      webhook: { url: "http://127.0.0.1:${hooks.port}/hook", allow_private: true }
  route: { receiver: oncall, group_by: [system, target], group_wait: 0s, group_interval: 1s, repeat_interval: 2s }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0` });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    await waitFor('db and web healthy', async () => (await sql.query(`select system from topology where healthy order by system`)).rows.map((r) => r.system).join(',') === 'db,web', 60_000, 200);
  });

  after(async () => {
    await browser?.close();
    await nines?.stop();
    await sql?.end();
    await pg?.stop();
    await web?.close();
    await hooks?.close();
    redis?.kill();
    await db?.drop();
    dir?.remove();
  });

  /** axe-core in the page: serious and critical violations, one line each. */
  async function axe(p: Page): Promise<string[]> {
    await p.evaluate(AXE);
    const r: any = await p.evaluate(`axe.run(document, { resultTypes: ['violations'] })`);
    return (r.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  }

  /** Screenshots at a phone's and a desktop's width, in light and dark, for a person to look at. */
  async function shots(p: Page, name: string): Promise<void> {
    await p.evaluate('document.activeElement?.blur()');
    for (const [w, h] of [[375, 812], [1440, 900]]) {
      await p.setViewportSize({ width: w, height: h });
      const wide: number = await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(wide <= 1, `${name} at ${w}px scrolls sideways by ${wide}px`);
      await p.screenshot({ path: join(ARTIFACTS, `console-${name}-${w}.png`), fullPage: false });
    }
    await p.emulateMedia({ colorScheme: 'dark' });
    await p.evaluate('document.activeElement?.blur()');
    await p.screenshot({ path: join(ARTIFACTS, `console-${name}-1440-dark.png`) });
    assert.deepEqual(await axe(p), [], `${name} (dark): axe-core serious or critical violations`);
    await p.emulateMedia({ colorScheme: 'light' });
  }

  it('overview: systems by layer with members, roles and lag; standalone targets; keyboard reachable; no axe violations', async () => {
    await page.goto(`${nines.url}/`);
    await page.locator('[data-system="db"] [data-primary]').filter({ hasText: 'pg1' }).waitFor({ timeout: 20_000 });
    assert.deepEqual(await page.locator('main section.layer h2').allTextContents(), ['Service (1)', 'Storage (1)'], 'layers top to bottom: service above storage');
    assert.equal(await page.locator('[data-system="db"] [data-member="pg2"] [data-role]').textContent(), 'replica');
    await page.locator('[data-system="db"] [data-member="pg2"] .m-lag').waitFor();
    await page.locator('[data-target="gone"] .badge').filter({ hasText: 'down' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-target="homepage"] .badge').textContent(), 'up');
    // Keyboard: Tab from the top reaches the skip link, then the system links.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
    assert.deepEqual(await axe(page), []);
    await shots(page, 'overview');
  });

  it('a standalone target going down shows on the open overview without a reload, announced by the prober with its card', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator('[data-target="homepage"] .badge').filter({ hasText: 'up' }).waitFor();
    await page.evaluate('window.__sameDocumentTargets = true');
    // Beside the page, a stream of our own: the change must come as a pushed card, not from the periodic refresh.
    const ctl = new AbortController();
    const frames: string[] = [];
    const stream = fetch(`${nines.url}/api/v1/console/stream`, { signal: ctl.signal }).then(async (r) => {
      const dec = new TextDecoder();
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) frames.push(dec.decode(chunk));
    }).catch(() => undefined);
    try {
      await waitFor('the stream opened', () => frames.join('').includes('event: snapshot'), 10_000, 50);
      failing.add('/home');
      await page.locator('[data-target="homepage"] .badge').filter({ hasText: /^down/ }).waitFor({ timeout: 20_000 });
      assert.equal(await page.evaluate('window.__sameDocumentTargets'), true, 'the page was not reloaded');
      const pushed = await waitFor('a pushed targets frame', () => frames.join('').split('\n\n').find((f) => f.startsWith('event: targets') && f.includes('"recorded_at"') && f.includes('"name":"homepage"') && f.includes('"state":"down"')), 10_000, 50);
      assert.match(pushed, /"reason":"status 503"/);
      failing.delete('/home');
      await page.locator('[data-target="homepage"] .badge').filter({ hasText: /^up/ }).waitFor({ timeout: 20_000 });
    } finally {
      failing.delete('/home');
      ctl.abort();
      await stream;
    }
    assert.deepEqual(errors, []);
  });

  it('a PostgreSQL failover shows on the overview without a reload, in order: pg1 down and no primary, then pg2 primary', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    // In the page: every distinct (primary, pg1's role) the db card shows, with when it showed it.
    await page.evaluate(`(() => {
      window.__sameDocument = true;
      const seen = (window.__seen = []);
      const look = () => {
        const card = document.querySelector('[data-system="db"]');
        const primary = card?.querySelector('[data-primary]')?.textContent ?? '';
        const pg1 = card?.querySelector('[data-member="pg1"] [data-role]')?.textContent ?? '';
        const last = seen[seen.length - 1];
        if (!last || last.primary !== primary || last.pg1 !== pg1) seen.push({ at: Date.now(), primary, pg1 });
      };
      look();
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    const t0 = Date.now();
    await pg.stopServer(pg.primaryPort);
    // The operator (or Patroni) promotes once the primary is seen gone: the page shows that first.
    await page.locator('[data-system="db"] [data-member="pg1"] [data-role]').filter({ hasText: /^down/ }).waitFor({ timeout: 20_000 });
    await pg.promoteReplica();
    await page.locator('[data-system="db"] [data-primary]').filter({ hasText: 'pg2' }).waitFor({ timeout: 30_000 });
    const seen: { at: number; primary: string; pg1: string }[] = await page.evaluate('window.__seen');
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page was not reloaded');
    assert.equal(seen[0].primary, 'pg1');
    const pg1Down = seen.findIndex((s) => s.pg1.startsWith('down'));
    const pg2Primary = seen.findIndex((s) => s.primary === 'pg2');
    assert.ok(pg1Down >= 0 && pg1Down < pg2Primary, `pg1 shown down before pg2 as primary: ${JSON.stringify(seen)}`);
    // When Nines recorded the promotion (the commit's transaction time) and when the page showed it.
    const { rows } = await sql.query(`select kind, member, recorded_at from events where system = 'db' and kind in ('leader_changed', 'promoted', 'member_down') and recorded_at >= $1 order by id`, [new Date(t0 - 1000)]);
    const promoted = rows.find((r) => r.kind === 'leader_changed' || r.kind === 'promoted');
    assert.ok(promoted, `a promotion recorded: ${JSON.stringify(rows)}`);
    const shownAfter = seen[pg2Primary].at - new Date(promoted.recorded_at).getTime();
    console.log(`failover on the overview: recorded ${new Date(promoted.recorded_at).toISOString()} (${promoted.kind}), shown ${shownAfter} ms later (goal 2000 ms); states seen: ${seen.map((s) => `${s.primary || '-'}/${s.pg1}`).join(' → ')}`);
    assert.ok(shownAfter < 10_000, `shown ${shownAfter} ms after it was recorded`);
    await page.locator('[data-system="db"] [data-incident]').waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
  });

  it('the incident page: timeline with RTO and its uncertainty; acknowledging from the page stops the repeats; a note lands on the timeline and in the audit log', async () => {
    // From the overview's card, as a person would: no reload.
    await page.locator('[data-system="db"] [data-incident]').click();
    await page.waitForURL(/\/incidents\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'followed the link without a reload');
    await page.locator('ol.timeline li[data-kind="new_primary_elected"]').waitFor({ timeout: 20_000 });
    const rto = page.locator('[data-measure="rto"] .v');
    await waitFor('RTO measured on the page', async () => (await rto.textContent()) !== '—', 30_000, 250);
    const rtoText = `${await rto.textContent()} ${await page.locator('[data-measure="rto"] .u').nth(1).textContent()}`;
    const kinds = await page.locator('ol.timeline li').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    console.log(`incident ${id}: RTO ${rtoText}; timeline ${kinds.join(' → ')}`);
    assert.ok(kinds.indexOf('detected') < kinds.indexOf('new_primary_elected'), 'detected before the new primary');
    assert.match(rtoText, /±/, 'the RTO shows its uncertainty');

    // Repeats of the db group arrive every 2 s until the incident is acknowledged.
    const dbHits = () => hooks.hitsOn('/hook').filter((h) => h.json?.group_labels?.system === 'db' && h.json?.status === 'firing');
    const before = dbHits().length;
    await waitFor('two more notifications of the db group (repeats)', () => dbHits().length >= before + 2, 20_000, 100);
    await shots(page, 'incident');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('#ack');
    await page.locator('[data-acknowledged]').filter({ hasText: 'by' }).waitFor();
    const ackedAt = Date.now();
    await page.locator('ol.timeline li[data-kind="acknowledged"]').waitFor();
    await new Promise((r) => setTimeout(r, 6000));
    const late = dbHits().filter((h) => h.at > ackedAt + 1000);
    console.log(`repeats of the db group: ${dbHits().filter((h) => h.at <= ackedAt).length} before the ack, ${late.length} in the 5 s after it (repeat_interval 2s)`);
    assert.equal(late.length, 0, 'no repeat after the acknowledgement');

    await page.fill('#note-text', 'pg1 host lost power; leaving pg2 as primary');
    await page.click('form.note button[type=submit]');
    await page.locator('ol.timeline li[data-kind="note"]').filter({ hasText: 'lost power' }).waitFor();
    const audit = (await sql.query(`select action, target, after from audit_log where target = $1 and action like 'incident.%' order by id`, [String(id)])).rows;
    assert.deepEqual(audit.map((r) => r.action), ['incident.ack', 'incident.note']);
    assert.equal(audit[1].after.text, 'pg1 host lost power; leaving pg2 as primary');
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(errors, []);
  });

  it('the system page: after the failover, the failover with its RTO, pg2 primary in the role history, the lag chart and the SLO that selects db', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${nines.url}/systems/db`);
    const [inc] = ((await (await fetch(`${nines.url}/api/v1/incidents?system=db`)).json()) as any).incidents;
    const failover = page.locator(`table[data-failovers] tr[data-incident-id="${inc.id}"]`);
    await failover.waitFor({ timeout: 10_000 });
    const rto = (await failover.locator('[data-rto]').textContent())!;
    assert.ok(inc.measurements.rto?.value_ms !== undefined, 'the API measured the RTO');
    assert.match(rto, /^\d+(\.\d)? (ms|s) ± \d+(\.\d)? (ms|s)$/, 'the RTO with its uncertainty');
    // Role history: pg1 went down, then pg2 became the primary (from the events table).
    const rows = await page.locator('table[data-role-history] tbody tr').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')}:${e.getAttribute('data-member')}:${e.getAttribute('data-role')}`));
    const down = rows.indexOf('member_down:pg1:down');
    const primary = rows.findIndex((r) => /^(leader_changed|promoted):pg2:primary$/.test(r));
    assert.ok(down >= 0 && primary > down, `pg1 down, then pg2 primary in the role history: ${rows.join(', ')}`);
    // Lag: pg2 replicated (with a lag figure) before the failover; the chart names it in its text alternative.
    assert.match((await page.locator('svg[data-chart="lag"] title').textContent())!, /^Replication lag from .*pg2: at most/);
    assert.equal(await page.locator('svg[data-chart="lag"] polyline[data-member="pg2"]').count(), 1);
    assert.equal(await page.locator('[data-system-slos] li[data-slo="db-availability"]').count(), 1);
    // The history endpoint refuses bad input with a 400 and an unknown system with a 404.
    const status = async (q: string) => (await fetch(`${nines.url}/api/v1/systems/${q}`)).status;
    assert.equal(await status('db/history?since=yesterday'), 400);
    assert.equal(await status(`db/history?since=${new Date().toISOString()}&until=2020-01-01T00:00:00Z`), 400);
    assert.equal(await status('nope/history'), 404);
    assert.equal(await status('db/history'), 200);
    console.log(`system page: failover RTO ${rto}; role history ${rows.join(' → ')}`);
    assert.deepEqual(await axe(page), [], 'system page: axe-core serious or critical violations');
    await shots(page, 'system');
    assert.deepEqual(errors, []);
  });

  it('alerts: routing shown; a silence created from the page previews exactly the alert it then mutes, and the repeats stop', async () => {
    await page.click('nav a[href="/alerts"]');
    const row = page.locator('tr[data-alert="TargetDown"][data-target="gone"]');
    await row.waitFor({ timeout: 20_000 });
    assert.match((await row.locator('td').nth(1).textContent())!, /oncall because default route/);
    const fingerprint = await row.getAttribute('data-fingerprint');
    await row.getByRole('button', { name: /^Silence/ }).click();
    await waitFor('the form filled with the alert\'s matchers', async () => (await page.inputValue('#sil-matchers')) === 'alertname="TargetDown"\ntarget="gone"', 5000, 50);
    await page.locator('#sil-preview [data-preview-alert]').first().waitFor();
    const previewed = await page.locator('#sil-preview [data-preview-alert]').evaluateAll((els) => els.map((e) => e.getAttribute('data-preview-alert')));
    assert.deepEqual(previewed, [fingerprint], 'the preview names exactly the gone TargetDown alert');
    // A matcher that would mute everything is refused by the preview, as saving would refuse it.
    await page.fill('#sil-matchers', 'severity=~".*"');
    await page.locator('#sil-preview .error').filter({ hasText: 'empty string' }).waitFor();
    await page.fill('#sil-matchers', 'alertname="TargetDown"\ntarget="gone"');
    await page.locator('#sil-preview [data-preview-alert]').first().waitFor();
    await page.fill('#sil-comment', 'gone is being decommissioned');
    const goneHits = () => hooks.hitsOn('/hook').filter((h) => h.json?.status === 'firing' && h.json.alerts?.some((a: any) => a.labels?.target === 'gone'));
    await waitFor('gone repeats before the silence', () => goneHits().length >= 2, 20_000, 100);
    await page.click('form.silence-form button[type=submit]');
    await row.locator('[data-silenced]').waitFor({ timeout: 10_000 });
    const savedAt = Date.now();
    const [silence] = (await sql.query(`select id, matchers from silences`)).rows;
    assert.deepEqual(silence.matchers.map((m: any) => `${m.name}${m.op}"${m.value}"`), ['alertname="TargetDown"', 'target="gone"']);
    await new Promise((r) => setTimeout(r, 5000));
    const late = goneHits().filter((h) => h.at > savedAt + 1000);
    console.log(`repeats for gone: ${goneHits().length - late.length} before the silence, ${late.length} in the 4 s after it (repeat_interval 2s)`);
    assert.equal(late.length, 0, 'the silenced alert is not sent again');
    const audit = (await sql.query(`select action, target from audit_log where action like 'silence.%'`)).rows;
    assert.deepEqual(audit, [{ action: 'silence.create', target: silence.id }]);
    // Extend from the page: recorded as silence.extend.
    await page.locator(`tr[data-silence="${silence.id}"] button`).filter({ hasText: '+1 hour' }).click();
    await waitFor('silence.extend recorded', async () => (await sql.query(`select 1 from audit_log where action = 'silence.extend'`)).rows.length === 1);
    await shots(page, 'alerts');
    assert.deepEqual(errors, []);
  });

  it('SLOs: the list, then one SLO with objective, nines, budget, burn rates, a burn-down chart and its exclusions', async () => {
    await page.goto(`${nines.url}/`);
    await page.getByRole('link', { name: 'SLOs' }).click();
    const row = page.locator('tr[data-slo="db-availability"]');
    await row.waitFor({ timeout: 10_000 });
    assert.match((await row.locator('td').first().textContent())!, /^99\.9% \/ 30d$/);
    assert.match((await row.textContent())!, /\d+\.\d+%/, 'an availability figure');
    await row.getByRole('link', { name: 'db-availability' }).click();
    await page.locator('h1').filter({ hasText: 'SLO db-availability' }).waitFor();
    const api: any = await (await fetch(`${nines.url}/api/v1/slos/db-availability`)).json();
    assert.equal(await page.locator('[data-measure="objective"] .v').textContent(), '99.9%');
    assert.equal(await page.locator('[data-measure="nines"] .v').textContent(), api.nines_text);
    assert.equal(await page.locator('[data-budget-summary]').textContent(), api.error_budget.summary);
    assert.deepEqual(await page.locator('[data-burn-rates] dt').allTextContents(), Object.keys(api.burn_rates));
    // The burn-down: one point per day of the window so far, an accessible name, and the even-spend line.
    const points = (await page.locator('svg[data-chart="burn-down"] polyline').getAttribute('points'))!.trim().split(' ');
    assert.equal(points.length, api.daily.length);
    assert.match((await page.locator('svg[data-chart="burn-down"] title').textContent())!, /^Error budget left per day: /);
    assert.equal(await page.locator('svg[data-chart="burn-down"] line.ideal').count(), 1);
    assert.deepEqual(await page.locator('[data-excluded] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-reason'))), ['drills', 'maintenance', 'silenced']);
    assert.deepEqual(await axe(page), [], 'SLO page: axe-core serious or critical violations');
    await shots(page, 'slo');
    assert.deepEqual(errors, []);
  });

  it('drills: start one on a system from the page, see it recorded (and audited), stop it', async () => {
    await page.goto(`${nines.url}/drills`);
    await page.locator('h1').filter({ hasText: 'Drills' }).waitFor();
    // Preact sets an option's value as a property, not an attribute: find it by its text.
    const webOption = page.locator('#drill-system option', { hasText: /^web/ });
    await webOption.waitFor({ state: 'attached' });
    await page.selectOption('#drill-system', 'web');
    await page.fill('#drill-note', 'quarterly failover test');
    await page.click('#drill-start');
    const row = page.locator('tr[data-drill="web"][data-running="true"]');
    await row.waitFor({ timeout: 10_000 });
    assert.match((await row.textContent())!, /quarterly failover test/);
    const [d] = (await sql.query(`select system, ended_at, note from drills`)).rows;
    assert.deepEqual(d, { system: 'web', ended_at: null, note: 'quarterly failover test' });
    assert.equal(await webOption.isDisabled(), true, 'no second drill on a system running one');
    await row.getByRole('button', { name: 'Stop the drill on web' }).click();
    await page.locator('tr[data-drill="web"][data-running="false"]').waitFor({ timeout: 10_000 });
    assert.notEqual((await sql.query(`select ended_at from drills`)).rows[0].ended_at, null);
    const audit = (await sql.query(`select action, target from audit_log where action like 'drill.%' order by at`)).rows;
    assert.deepEqual(audit.map((a) => a.action), ['drill.start', 'drill.stop']);
    assert.deepEqual(await axe(page), [], 'drills page: axe-core serious or critical violations');
    await shots(page, 'drills');
    assert.deepEqual(errors, []);
  });

  it('resolving from the incident page: after confirming, the incident is resolved, on the timeline and in the audit log', async () => {
    const open = (await sql.query(`select id from incidents where state = 'open' order by id`)).rows;
    assert.ok(open.length > 0, 'the failover incident is still open (pg1 is still down)');
    const id = open[0].id as number;
    await page.goto(`${nines.url}/incidents/${id}`);
    await page.locator('#resolve').waitFor();
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.click('#resolve');
    await page.locator('ol.timeline li[data-kind="resolved"]').waitFor({ timeout: 10_000 });
    assert.match(dialogs[0] ?? '', new RegExp(`^Resolve incident #${id} by hand\\?`));
    // The timeline can arrive (pushed) a moment before the page has re-read the incident itself.
    await page.locator('#resolve').waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal((await sql.query(`select state from incidents where id = $1`, [id])).rows[0].state, 'resolved');
    const audit = (await sql.query(`select action from audit_log where target = $1 and action = 'incident.resolve'`, [String(id)])).rows;
    assert.equal(audit.length, 1);
    assert.deepEqual(errors, []);
  });

  it('with tokens: the console asks for one, refuses a bad one, signs in with a pasted viewer token, and signs out', async () => {
    // Creating the first token ends the open mode (loopback without tokens).
    const made = await fetch(`${nines.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'night-viewer', role: 'viewer' }) });
    assert.equal(made.status, 201);
    const viewer = ((await made.json()) as { token: string }).token;
    const ctx = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const p = await ctx.newPage();
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await p.goto(`${nines.url}/`);
      await p.locator('#token').waitFor({ timeout: 10_000 });
      assert.deepEqual(await axe(p), [], 'sign-in screen: axe-core serious or critical violations');
      await p.fill('#token', 'nines_not-a-real-token');
      await p.click('button[type=submit]');
      await p.locator('[role=alert]').filter({ hasText: 'That token was not accepted' }).waitFor();
      await p.fill('#token', viewer);
      await p.click('button[type=submit]');
      await p.locator('#role').filter({ hasText: 'viewer' }).waitFor({ timeout: 10_000 });
      await p.locator('[data-system="db"]').waitFor({ timeout: 10_000 });
      assert.equal(await p.evaluate(`sessionStorage.getItem('nines_token') !== null`), true, 'kept in this tab only');
      assert.equal(await p.evaluate(`localStorage.length`), 0, 'nothing in local storage');
      // A viewer reads an incident but is not offered what the API would refuse it.
      const open = (await sql.query(`select id from incidents order by id desc limit 1`)).rows[0].id as number;
      await sql.query(`update incidents set state = 'open', resolved_at = null where id = $1`, [open]);
      await p.goto(`${nines.url}/incidents/${open}`);
      await p.locator('#needs-responder').waitFor({ timeout: 10_000 });
      assert.deepEqual([await p.locator('#ack').count(), await p.locator('#resolve').count(), await p.locator('#note-text').count()], [0, 0, 0]);
      await p.reload();
      await p.locator('#role').filter({ hasText: 'viewer' }).waitFor({ timeout: 10_000 });
      await p.click('#signout');
      await p.locator('#token').waitFor();
      assert.equal(await p.evaluate(`sessionStorage.getItem('nines_token')`), null, 'forgotten on sign-out');
      assert.deepEqual(pageErrors, []);
    } finally {
      await ctx.close();
    }
  });
});
