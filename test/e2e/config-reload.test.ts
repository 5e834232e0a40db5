import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { freshDatabase, redisUrlFor } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { closedPort, getJson, getText, parseMetrics, RecordingServer, sleep, startRecordingServer, waitFor } from '../support/wait';

interface TargetJson {
  key: string;
  state: string;
  since: string | null;
  consecutive_failures: number;
  last_result: { at: string; success: boolean; reason?: string } | null;
}

describe('config reload (real processes)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let web: RecordingServer;
  let deadPort: number;
  let configPath: string;
  const procs: NinesProcess[] = [];
  let a: NinesProcess;

  const targetsYaml = (names: string[]) =>
    names.map((n) => (n.startsWith('dead') ? `  - name: ${n}\n    probe: { kind: http, url: "http://127.0.0.1:${deadPort}/" }` : `  - name: ${n}\n    probe: { kind: http, url: "${web.url}/${n}" }`)).join('\n');
  const configFor = (names: string[]) => `defaults: { interval: 500ms, timeout: 400ms }\ntargets:\n${targetsYaml(names)}\n`;

  const targets = async (p: NinesProcess): Promise<Map<string, TargetJson>> => {
    const r = await getJson<{ targets: TargetJson[] }>(`${p.url}/api/v1/targets`);
    assert.equal(r.status, 200);
    return new Map(r.body.targets.map((t) => [t.key, t]));
  };
  const metric = async (p: NinesProcess, name: string, labels: Record<string, string> = {}) =>
    parseMetrics((await getText(`${p.url}/metrics`)).text)
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);

  before(async () => {
    const r = new Redis(redisUrlFor('config-reload'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('config-reload');
    web = await startRecordingServer();
    deadPort = await closedPort();
    configPath = writeConfig(configFor(['up1', 'dead1']));
    a = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: redisUrlFor('config-reload') });
    procs.push(a);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await web?.close();
    await db?.drop();
  });

  it('POST /api/v1/config/reload adds a target and keeps the state of the others', async () => {
    const before = await waitFor('up1 up and dead1 down twice', async () => {
      const t = await targets(a);
      return t.get('up1')?.state === 'up' && t.get('dead1')?.state === 'down' && t.get('dead1')!.consecutive_failures >= 2 ? t : undefined;
    });
    writeFileSync(configPath, configFor(['up1', 'dead1', 'up2']));
    const res = await getJson(`${a.url}/api/v1/config/reload`, { method: 'POST' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.targets, 3);
    const afterReload = await waitFor('up2 up', async () => {
      const t = await targets(a);
      return t.get('up2')?.state === 'up' ? t : undefined;
    });
    // Wait for a result of dead1 after the reload, then compare.
    const reloadedAt = Date.now();
    const later = await waitFor('dead1 probed after the reload', async () => {
      const t = await targets(a);
      return Date.parse(t.get('dead1')!.last_result!.at) > reloadedAt ? t : undefined;
    });
    assert.equal(afterReload.get('up1')!.since, before.get('up1')!.since, 'up1 keeps its since');
    assert.equal(later.get('up1')!.state, 'up');
    assert.equal(later.get('dead1')!.since, before.get('dead1')!.since, 'dead1 keeps its since');
    assert.ok(
      later.get('dead1')!.consecutive_failures > before.get('dead1')!.consecutive_failures,
      `consecutive failures were reset: ${before.get('dead1')!.consecutive_failures} → ${later.get('dead1')!.consecutive_failures}`,
    );
    assert.ok(web.requests.some((r) => r.path === '/up2'));
  });

  it('an invalid file is rejected with 400 listing `path: message` issues, and the running config keeps probing', async () => {
    writeFileSync(configPath, `defaults: { interval: 500ms }\ntargets:\n  - name: up1\n    probe: { kind: htp, url: "${web.url}/up1" }\n  - name: up2\n    probe: { kind: http, url: "${web.url}/up2" }\n    colour: blue\n`);
    const res = await getJson(`${a.url}/api/v1/config/reload`, { method: 'POST' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'invalid_config');
    assert.equal(typeof res.body.error.message, 'string');
    const details = res.body.error.details as { path: string; message: string }[];
    assert.ok(Array.isArray(details) && details.length >= 1, JSON.stringify(res.body));
    for (const d of details) {
      assert.equal(typeof d.path, 'string');
      assert.equal(typeof d.message, 'string');
    }
    const lines = details.map((d) => `${d.path}: ${d.message}`);
    assert.ok(lines.some((l) => /^targets\[(0|1)\]/.test(l)), lines.join('\n'));
    const n = web.requests.length;
    const t0 = Date.now();
    await sleep(1500);
    const t = await targets(a);
    assert.deepEqual([...t.keys()].sort(), ['dead1', 'up1', 'up2']);
    for (const k of ['up1', 'up2']) assert.ok(Date.parse(t.get(k)!.last_result!.at) > t0, `${k} is no longer probed`);
    assert.ok(web.requests.length > n);
    assert.ok((await metric(a, 'nines_config_reloads_total', { outcome: 'failure' })) >= 1);
  });

  it('SIGHUP reloads the file', async () => {
    writeFileSync(configPath, configFor(['up1', 'dead1', 'up2', 'up3']));
    a.proc.kill('SIGHUP');
    await waitFor('up3 up after SIGHUP', async () => (await targets(a)).get('up3')?.state === 'up');
    assert.ok(a.proc.exitCode === null, 'SIGHUP must not stop the process');
  });

  it('a reload asked of one replica is applied by the other through the Redis announcement', async () => {
    const b = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: redisUrlFor('config-reload') });
    procs.push(b);
    assert.equal(await metric(b, 'nines_targets', { kind: 'http' }), 4);
    assert.equal(await metric(b, 'nines_config_reloads_total', { outcome: 'success' }), 0);
    writeFileSync(configPath, configFor(['up1', 'dead1', 'up2', 'up3', 'up4', 'up5']));
    const res = await getJson(`${a.url}/api/v1/config/reload`, { method: 'POST' });
    assert.equal(res.status, 200);
    await waitFor('replica b reloaded', async () => (await metric(b, 'nines_config_reloads_total', { outcome: 'success' })) === 1, 5000);
    assert.equal(await metric(b, 'nines_targets', { kind: 'http' }), 6);
    await waitFor('up4 and up5 probed', async () => web.requests.some((r) => r.path === '/up4') && web.requests.some((r) => r.path === '/up5'));
    assert.match(b.logs(), /"trigger":"announced by [^"]+".*"msg":"config reloaded"/);
  });

  it('reloads asked of both replicas at once both succeed, and a removed target leaves the API and /metrics', async () => {
    const [a, b] = procs;
    writeFileSync(configPath, configFor(['up1', 'up2', 'up3', 'up4', 'up5']));
    const both = await Promise.all([a, b].map((p) => getJson(`${p.url}/api/v1/config/reload`, { method: 'POST' })));
    for (const r of both) assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const p of [a, b]) {
      const t = await targets(p);
      assert.deepEqual([...t.keys()].sort(), ['up1', 'up2', 'up3', 'up4', 'up5']);
      await waitFor('dead1 gone from /metrics', async () => !/target="dead1"/.test((await getText(`${p.url}/metrics`)).text), 5000);
    }
    const n = web.requests.length;
    await sleep(1200);
    assert.ok(web.requests.length > n, 'still probing after the reloads');
    for (const p of [a, b]) assert.equal(p.proc.exitCode, null);
  });
});
