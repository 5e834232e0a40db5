import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freshDatabase, redisUrlFor } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { getJson, getText, parseMetrics, RecordingServer, sleep, startRecordingServer, waitFor } from '../support/wait';

function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-promtool-'));
  const file = join(dir, 'metrics.txt');
  writeFileSync(file, text);
  return new Promise((resolve) => {
    const p = execFile('sh', ['-c', `promtool check metrics < ${file}`], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
    p.stdin?.end();
  });
}

describe('HTTP API (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let web: RecordingServer;
  let nines: NinesProcess;
  const token = randomUUID();

  before(async () => {
    const r = new Redis(redisUrlFor('api'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('api');
    // A later test stops this server and starts it again on the same port. Meanwhile the port is free:
    // it is taken below the kernel's ephemeral range (32768–60999), so no other test file's listen(0)
    // can get it, and the body carries a token of this run, so a stranger's 200 would be a failed probe.
    const answer = (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`api test ${token}`);
    };
    for (let i = 0; ; i++) {
      try {
        web = await startRecordingServer(answer, { port: 20000 + Math.floor(Math.random() * 12000) });
        break;
      } catch (err) {
        if (i >= 50) throw err; // fifty ports in use in a row: something else is wrong
      }
    }
    const config = writeConfig(`
defaults: { interval: 500ms, timeout: 400ms }
systems:
  - name: cache
    layer: cache
    kind: redis
    members:
      - name: r1
        probe: { kind: redis, url: "redis://127.0.0.1:6379" }
targets:
  - name: web
    probe: { kind: http, url: "${web.url}/", body_regex: "${token}" }
    labels: { team: web }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: redisUrlFor('api') });
  });

  after(async () => {
    await nines?.stop();
    await web?.close().catch(() => undefined);
    await db?.drop();
  });

  it('/healthz answers 200 and /readyz 200 with its checks', async () => {
    const h = await getJson(`${nines.url}/healthz`);
    assert.equal(h.status, 200);
    assert.deepEqual(h.body, { status: 'ok' });
    const r = await getJson(`${nines.url}/readyz`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ready');
    assert.equal(r.body.checks.database, 'ok');
    assert.equal(r.body.checks.migrations, 'ok');
    assert.deepEqual(r.body.dependencies, { postgres: 'up', redis: 'up' });
  });

  it('/metrics has blackbox series with target/system/member/layer/kind and the member role, and promtool finds nothing to report', async () => {
    const text = await waitFor('probe_success for web and cache/r1', async () => {
      const m = await getText(`${nines.url}/metrics`);
      return /probe_success\{[^}]*target="web"/.test(m.text) && /probe_success\{[^}]*target="cache\/r1"/.test(m.text) ? m : undefined;
    });
    assert.equal(text.status, 200);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    const samples = parseMetrics(text.text);
    const web = samples.find((s) => s.name === 'probe_success' && s.labels.target === 'web');
    assert.ok(web);
    assert.deepEqual(Object.keys(web.labels).sort(), ['kind', 'layer', 'member', 'system', 'target']);
    assert.equal(web.labels.kind, 'http');
    assert.equal(web.value, 1);
    const r1 = samples.find((s) => s.name === 'probe_success' && s.labels.target === 'cache/r1');
    assert.deepEqual(r1?.labels, { target: 'cache/r1', system: 'cache', member: 'r1', layer: 'cache', kind: 'redis' });
    assert.equal(r1?.value, 1);
    const role = samples.filter((s) => s.name === 'nines_member_role' && s.labels.system === 'cache' && s.labels.member === 'r1');
    assert.deepEqual(role.map((s) => [s.labels.role, s.value]), [['primary', 1]]);
    assert.ok(samples.some((s) => s.name === 'probe_http_status_code' && s.labels.target === 'web' && s.value === 200));
    assert.ok(samples.some((s) => s.name === 'nines_system_up' && s.labels.system === 'cache' && s.value === 1));

    const check = await promtoolCheck(text.text);
    assert.equal(check.output, '', `promtool check metrics printed:\n${check.output}`);
    assert.equal(check.code, 0);
  });

  it('/docs serves HTML and /docs/openapi.json lists /api/v1/targets', async () => {
    const html = await getText(`${nines.url}/docs`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    assert.match(html.text, /<html/i);
    const doc = await getJson(`${nines.url}/docs/openapi.json`);
    assert.equal(doc.status, 200);
    assert.ok(doc.body.paths['/api/v1/targets'], `paths: ${Object.keys(doc.body.paths).join(', ')}`);
    assert.ok(doc.body.paths['/api/v1/systems']);
  });

  it('/api/v1/systems shows the system with its members and primary', async () => {
    const res = await waitFor('cache up', async () => {
      const r = await getJson(`${nines.url}/api/v1/systems`);
      return r.body.systems?.[0]?.state === 'up' ? r : undefined;
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.systems.length, 1);
    const s = res.body.systems[0];
    assert.equal(s.name, 'cache');
    assert.equal(s.layer, 'cache');
    assert.equal(s.kind, 'redis');
    assert.deepEqual(s.depends_on, []);
    assert.equal(s.primary, 'r1');
    assert.deepEqual(s.primaries, ['r1']);
    assert.equal(s.members.length, 1);
    assert.equal(s.members[0].key, 'cache/r1');
    assert.equal(s.members[0].state, 'up');
    assert.equal(s.members[0].last_result.role, 'primary');
    const one = await getJson(`${nines.url}/api/v1/systems/cache`);
    assert.equal(one.status, 200);
    assert.equal(one.body.name, 'cache');
    const missing = await getJson(`${nines.url}/api/v1/systems/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  it('bad input gets a 4xx JSON error, never a 5xx', async () => {
    const bogus = await getJson(`${nines.url}/api/v1/targets?state=bogus`);
    assert.equal(bogus.status, 400);
    assert.equal(bogus.body.error.code, 'bad_request');
    assert.equal(typeof bogus.body.error.message, 'string');
    assert.match(bogus.body.error.message, /up, down, unknown/);

    const unknown = await getJson(`${nines.url}/api/v1/no-such-thing`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(unknown.body.error.code, 'not_found');
    assert.equal(typeof unknown.body.error.message, 'string');

    const malformed = await getJson(`${nines.url}/api/v1/config/reload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"oops": ' });
    assert.ok(malformed.status >= 400 && malformed.status < 500, `malformed JSON got ${malformed.status}: ${JSON.stringify(malformed.body)}`);
    assert.equal(typeof malformed.body.error?.code, 'string');

    const wrongMethod = await getJson(`${nines.url}/api/v1/targets`, { method: 'DELETE' });
    assert.ok(wrongMethod.status >= 400 && wrongMethod.status < 500, `DELETE got ${wrongMethod.status}`);
  });

  it('/api/v1/targets shows a target up with its last result, then down with the reason once its server stops', async () => {
    const up = await waitFor('web up', async () => {
      const r = await getJson(`${nines.url}/api/v1/targets`);
      const t = r.body.targets?.find((x: { key: string }) => x.key === 'web');
      return t?.state === 'up' && t.last_result ? t : undefined;
    });
    assert.equal(up.kind, 'http');
    assert.deepEqual(up.labels, { team: 'web' });
    assert.equal(up.interval_ms, 500);
    assert.equal(up.last_result.success, true);
    assert.equal(up.last_result.http_status, 200);
    assert.equal(typeof up.last_result.duration_ms, 'number');
    assert.ok(Date.now() - Date.parse(up.last_result.at) < 5000, `last result too old: ${up.last_result.at}`);
    assert.ok(up.since);
    const onlyUp = await getJson(`${nines.url}/api/v1/targets?state=up`);
    assert.ok(onlyUp.body.targets.some((t: { key: string }) => t.key === 'web'));
    const bySystem = await getJson(`${nines.url}/api/v1/targets?system=cache`);
    assert.deepEqual(bySystem.body.targets.map((t: { key: string }) => t.key), ['cache/r1']);

    await web.close();
    const down = await waitFor(
      'web down',
      async () => {
        const r = await getJson(`${nines.url}/api/v1/targets?state=down`);
        return r.body.targets?.find((x: { key: string }) => x.key === 'web');
      },
      10_000,
    );
    assert.equal(down.last_result.success, false);
    assert.equal(down.last_result.reason, 'connection refused');
    assert.notEqual(down.since, up.since);
    assert.ok(Date.parse(down.since) > Date.parse(up.since));
    assert.ok(down.consecutive_failures >= 1);
    const m = parseMetrics((await getText(`${nines.url}/metrics`)).text);
    await waitFor('probe_success 0', async () => {
      const mm = parseMetrics((await getText(`${nines.url}/metrics`)).text);
      return mm.find((s) => s.name === 'probe_success' && s.labels.target === 'web')?.value === 0;
    });
    assert.ok(m.some((s) => s.name === 'nines_probes_failed_total' && s.labels.reason === 'connection_refused' && s.value > 0));
  });

  it('SIGTERM: exits 0, and every probe it ran is in the database (the last batch is flushed)', async () => {
    // The target's server comes back on the same port; count what it serves from now on.
    const back = await new Promise<import('node:http').Server>((resolve, reject) => {
      const s = web.server;
      web.requests.length = 0;
      s.once('error', reject);
      s.listen(web.port, '127.0.0.1', () => resolve(s));
    });
    const restartedAt = Date.now();
    await waitFor('web up again', async () => (await getJson(`${nines.url}/api/v1/targets?state=up`)).body.targets.some((t: { key: string }) => t.key === 'web'), 10_000);
    await sleep(1200);
    assert.equal(await nines.stop('SIGTERM'), 0);
    const served = web.requests.length;
    back.closeAllConnections();
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(
        `select count(*)::int as n from probe_results r join targets t on t.id = r.target_id where t.key = 'web' and r.http_status = 200 and r.success and r.scheduled_at >= $1`,
        [new Date(restartedAt - 1000)],
      );
      assert.equal(rows[0].n, served, `the server answered ${served} probes, the database has ${rows[0].n}`);
    } finally {
      await c.end();
    }
  });
});
