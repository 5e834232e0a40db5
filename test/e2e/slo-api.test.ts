import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startPrivateRedis, type PrivateRedis } from '../support/servers/redis';
import { getJson, getText, parseMetrics, RecordingServer, startRecordingServer, waitFor } from '../support/wait';

function promtool(args: string[], stdin?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = execFile('promtool', args, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
    p.stdin?.end(stdin ?? '');
  });
}

/** GET /api/v1/slos, /slos/:name, /slos/prometheus-rules and the nines_slo_* metrics of a real process. */
describe('SLO API (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let redis: PrivateRedis;
  let web: RecordingServer;
  let nines: NinesProcess;
  let failing = false;

  before(async () => {
    db = await freshDatabase('slo_api');
    redis = await startPrivateRedis();
    web = await startRecordingServer((_req, res) => {
      res.writeHead(failing ? 503 : 200);
      res.end();
    });
    const config = writeConfig(`
defaults: { interval: 500ms, timeout: 400ms }
systems:
  - name: cache
    layer: cache
    kind: redis
    members:
      - name: r1
        probe: { kind: redis, url: "${redis.url}" }
targets:
  - name: web
    probe: { kind: http, url: "${web.url}/" }
    labels: { team: web }
slos:
  - { name: web-availability, selector: { target: web }, objective: 99.9, window: 30d }
  - { name: web-fast, selector: { labels: { team: web } }, sli: { kind: latency, threshold: 250ms }, objective: 99, window: 7d }
  - { name: cache-month, selector: { system: cache }, objective: 99.5, window: month, timezone: Asia/Tokyo }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: redis.url });
  });

  after(async () => {
    await nines?.stop();
    await web?.close().catch(() => undefined);
    await redis?.stop();
    await db?.drop();
  });

  // Windows end at the start of the current minute; asking "as of a minute from now" includes what was just probed.
  const soon = () => new Date(Date.now() + 60_000).toISOString();

  it('lists every SLO with availability, budget, nines and burn rates over the probes just made', async () => {
    const body = await waitFor('probes counted for web and cache', async () => {
      const r = await getJson(`${nines.url}/api/v1/slos?at=${soon()}`);
      const names = r.body.slos?.map((s: { name: string; events: { valid: number } }) => [s.name, s.events.valid]) ?? [];
      return names.length === 3 && names.every(([, v]: [string, number]) => v >= 1) ? r.body : undefined;
    }, 30_000, 500);
    const web = body.slos.find((s: { name: string }) => s.name === 'web-availability');
    assert.equal(web.availability, 1);
    assert.equal(web.nines_text, '∞');
    assert.deepEqual(Object.keys(web.burn_rates), ['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    assert.equal(web.error_budget.consumed_events, 0);
    assert.ok(web.events.unknown > 0, 'the 30 days before Nines started are unknown, not good');
    const cache = body.slos.find((s: { name: string }) => s.name === 'cache-month');
    assert.equal(cache.measured.unit, 'minutes (system: any member up)');
    assert.equal(cache.window.kind, 'calendar');
    assert.equal(new Date(cache.window.start).getUTCHours(), 15); // midnight in Tokyo
  });

  it('failures show up as bad events, budget used and burn', async () => {
    failing = true;
    const s = await waitFor('failed probes counted', async () => {
      const r = await getJson(`${nines.url}/api/v1/slos/web-availability?at=${soon()}`);
      return r.body.events?.bad >= 3 ? r.body : undefined;
    }, 20_000, 500);
    failing = false;
    assert.ok(s.availability < 1);
    assert.ok(s.error_budget.consumed_events >= 3);
    assert.ok(s.burn_rates['5m'] > 0);
    assert.ok(Array.isArray(s.daily) && s.daily.length >= 30, 'a daily series over the window');
  });

  it('serves a rules file promtool accepts', async () => {
    const r = await getText(`${nines.url}/api/v1/slos/prometheus-rules`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /yaml/);
    assert.match(r.text, /record: slo:sli_error:ratio_rate5m/);
    const file = join(mkdtempSync(join(tmpdir(), 'nines-slo-e2e-')), 'rules.yml');
    writeFileSync(file, r.text);
    const check = await promtool(['check', 'rules', file]);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, /SUCCESS: \d+ rules found/);
  });

  it('exports nines_slo_* series, and promtool check metrics has nothing to say', async () => {
    const m = await waitFor('nines_slo series', async () => {
      const t = await getText(`${nines.url}/metrics`);
      return /nines_slo_burn_rate\{slo="web-availability",window="5m"\}/.test(t.text) ? t.text : undefined;
      // The series need a whole minute rolled up, then the cached evaluation's refresh: up to ~90 s.
    }, 120_000, 500);
    const samples = parseMetrics(m);
    const one = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    assert.equal(one('nines_slo_objective_ratio', { slo: 'web-availability' })?.value, 0.999);
    assert.ok(one('nines_slo_availability_ratio', { slo: 'web-availability', window: '30d' }));
    assert.ok(one('nines_slo_error_budget_remaining_ratio', { slo: 'cache-month' }));
    assert.ok(one('nines_slo_nines', { slo: 'cache-month' }));
    const check = await promtool(['check', 'metrics'], m);
    assert.equal(check.code, 0, check.out);
    assert.equal(check.out.trim(), '');
  });

  it('answers 404 for an unknown SLO and 400 for a bad definition', async () => {
    const nf = await getJson(`${nines.url}/api/v1/slos/nope`);
    assert.equal(nf.status, 404);
    assert.equal(nf.body.error.code, 'not_found');
    const bad = await getJson(`${nines.url}/api/v1/slos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', selector: { target: 'web' }, objective: 99, window: '30d', sli: { kind: 'latency', threshold: '300ms' }, created_by: 'e2e' }) });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /sli\.threshold: must be one of the latency boundaries Nines counts: 5ms, 10ms/);
    const at = await getJson(`${nines.url}/api/v1/slos?at=yesterday`);
    assert.equal(at.status, 400);
  });
});
