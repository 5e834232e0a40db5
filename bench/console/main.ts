import { mkdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import Redis from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { CHANGE_FEED_CHANNEL } from '../../libs/live/src/change-feed';
import { CHROMIUM } from '../../test/support/chromium';
import { freshDatabase } from '../../test/support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../../test/support/nines-process';
import { startRedis, type RedisNode } from '../../test/support/servers/redis-ha';
import { tempDir } from '../../test/support/servers/spawned';

/**
 * bench/console (issue 14): the on-call console in Debian's chromium (playwright-core) against a
 * real Nines process watching 100 systems (HTTP endpoints, spread over the eleven layers) and
 * 1,000 standalone HTTP targets at a 10 s interval, all served by one local HTTP server (one path
 * each). Measures, once every target has a result:
 *
 * 1. first render: navigation start to the moment the overview shows all 100 system cards and
 *    the targets table's rows (a MutationObserver installed before the page's own script, reading
 *    performance.now(), whose origin is the navigation start); median of cold loads, each in a
 *    fresh browser context (empty cache);
 * 2. JS shipped: the script(s) and stylesheet the page names, fetched from Nines as served,
 *    gzipped here with zlib (level 9) unless the server already compressed them;
 * 3. live update: a target's path starts failing (HTTP 503); from the moment Nines records the
 *    change (the `at` of its first announcement on the Redis channel nines:changes after the
 *    failure, read by the bench's own subscription: for a standalone target the prober's state
 *    change, stamped when the engine applied it; for a system its topology commit) to the moment
 *    the open page shows it down (a MutationObserver in the page, timeOrigin + now()); median of
 *    changes, for standalone targets and for system cards (an endpoint turning down).
 *
 *   node dist/bench/console/main.js [--systems 100] [--targets 1000] [--loads 5] [--changes 5] [--out FILE]
 */
const GOAL_RENDER_MS = 1000;
const GOAL_JS_BYTES = 200 * 1024;
const GOAL_LIVE_MS = 500;
const LAYERS = ['access', 'proxy', 'gateway', 'service', 'registry', 'coordination', 'cache', 'search', 'queue', 'storage', 'network'];
const root = resolve(__dirname, '../../..');

function options() {
  const a = process.argv.slice(2);
  const get = (k: string, d: string) => {
    const i = a.indexOf(`--${k}`);
    return i >= 0 ? a[i + 1] : (process.env[`BENCH_${k.toUpperCase()}`] ?? d);
  };
  return {
    systems: Number(get('systems', '100')),
    targets: Number(get('targets', '1000')),
    loads: Number(get('loads', '5')),
    changes: Number(get('changes', '5')),
    out: a.includes('--no-json') ? undefined : resolve(get('out', join(root, 'bench/results/console.json'))),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const tname = (i: number) => `t${String(i).padStart(4, '0')}`;
const sname = (i: number) => `s${String(i).padStart(3, '0')}`;

async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Every path answers 200 "ok", except the ones in `failing`, which answer 503. */
async function startTargetServer(): Promise<{ origin: string; failing: Set<string>; close(): Promise<void> }> {
  const failing = new Set<string>();
  const server = http.createServer((req, res) => {
    const bad = failing.has(req.url ?? '');
    res.writeHead(bad ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(bad ? 'failing' : 'ok');
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    failing,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function main(): Promise<void> {
  const o = options();
  const watchdog = setTimeout(() => {
    console.error('bench/console exceeded 15 minutes; stopping');
    process.exit(2);
  }, 15 * 60_000);
  watchdog.unref();
  console.log(`bench/console: ${o.systems} systems, ${o.targets} standalone HTTP targets at 10 s, ${o.loads} cold loads, ${o.changes} live changes`);
  const loadBefore = load();
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${loadBefore}, node ${process.version}`);

  const dir = tempDir('bench-console');
  let redis: RedisNode | undefined;
  let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let web: Awaited<ReturnType<typeof startTargetServer>> | undefined;
  let nines: NinesProcess | undefined;
  let browser: Browser | undefined;
  let subscriber: Redis | undefined;
  try {
    redis = await startRedis(dir.path);
    db = await freshDatabase('bench_console');
    web = await startTargetServer();
    const systems = Array.from({ length: o.systems }, (_, i) => `  - { name: ${sname(i)}, layer: ${LAYERS[i % LAYERS.length]}, kind: http, endpoint: { probe: { kind: http, url: "${web!.origin}/sys/${i}" } } }`);
    const targets = Array.from({ length: o.targets }, (_, i) => `  - { name: ${tname(i)}, probe: { kind: http, url: "${web!.origin}/t/${i}" } }`);
    const config = writeConfig(`defaults: { interval: 10s, timeout: 2s }\nsystems:\n${systems.join('\n')}\ntargets:\n${targets.join('\n')}\n`);
    const t0 = Date.now();
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0`, env: { NINES_LOG_LEVEL: 'info' } });
    const api = async (path: string) => {
      const r = await fetch(`${nines!.url}${path}`);
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
      return r.json() as Promise<any>;
    };
    // Every target (standalone and system endpoints) has a result, and is up.
    await waitUntil(
      'every target to have a result',
      async () => {
        const { targets: ts } = await api('/api/v1/targets');
        return ts.length === o.systems + o.targets && ts.every((t: any) => t.last_result && t.state === 'up');
      },
      120_000,
      500,
    );
    const settledMs = Date.now() - t0;
    console.log(`Nines started and every one of ${o.systems + o.targets} targets has a result (up) after ${(settledMs / 1000).toFixed(1)} s`);

    const sub = new Redis(`redis://${redis.address}/0`);
    const announced = new Map<string, number[]>();
    sub.on('message', (_ch, text: string) => {
      const c = JSON.parse(text);
      if (c.kind === 'system' || (c.kind === 'target' && c.card?.state === 'down')) announced.set(c.name, [...(announced.get(c.name) ?? []), c.at]);
    });
    await sub.subscribe(CHANGE_FEED_CHANNEL);
    subscriber = sub;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

    // 2. JS shipped, as served.
    const shell = await (await fetch(`${nines.url}/`)).text();
    const assetPaths = [...shell.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    if (!assetPaths.some((p) => p.endsWith('.js')) || !assetPaths.some((p) => p.endsWith('.css'))) throw new Error(`the page names no script or stylesheet: ${shell}`);
    const assets: { path: string; bytes: number; gzip: number; servedEncoding: string | null }[] = [];
    for (const p of assetPaths) {
      const r = await fetch(`${nines.url}${p}`, { headers: { 'accept-encoding': 'identity' } });
      const body = Buffer.from(await r.arrayBuffer());
      const enc = r.headers.get('content-encoding');
      assets.push({ path: p, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length, servedEncoding: enc });
    }
    const jsGzip = assets.reduce((s, a) => s + a.gzip, 0);
    for (const a of assets) console.log(`  ${a.path}: ${kb(a.bytes)}, ${kb(a.gzip)} gzip${a.servedEncoding ? ` (served ${a.servedEncoding})` : ' (served uncompressed)'}`);

    // 1. First render, cold: a fresh context (empty cache) per load.
    const ready = (n: number, rows: number) => `(() => {
      const done = () => document.querySelectorAll('[data-system]').length >= ${n} && document.querySelectorAll('table.targets tbody tr').length >= ${rows};
      const check = () => { if (window.__ready === undefined && done()) { window.__ready = performance.now(); obs.disconnect(); } };
      const obs = new MutationObserver(check);
      obs.observe(document, { subtree: true, childList: true });
    })()`;
    const rows = Math.min(o.targets, 200);
    const renders: { ready_ms: number; dom_content_loaded_ms: number; load_ms: number }[] = [];
    for (let i = 0; i < o.loads; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await ctx.addInitScript(ready(o.systems, rows));
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`${nines.url}/`);
      // A function, not a string: the console's CSP has no 'unsafe-eval'.
      await page.waitForFunction(() => (globalThis as any).__ready !== undefined, undefined, { timeout: 30_000, polling: 50 });
      const r: any = await page.evaluate(`(() => { const n = performance.getEntriesByType('navigation')[0]; return { ready_ms: window.__ready, dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd }; })()`);
      if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
      renders.push(r);
      console.log(`  cold load ${i + 1}: all ${o.systems} system cards and ${rows} target rows at ${r.ready_ms.toFixed(0)} ms (DOMContentLoaded ${r.dom_content_loaded_ms.toFixed(0)} ms)`);
      await ctx.close();
    }
    const renderMs = median(renders.map((r) => r.ready_ms));

    // 3. Live updates on one open page.
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${nines.url}/`);
    await page.waitForFunction(
      ([n, r]) => {
        const d = (globalThis as any).document;
        return d.querySelectorAll('[data-system]').length >= n && d.querySelectorAll('table.targets tbody tr').length >= r;
      },
      [o.systems, rows],
      { timeout: 30_000 },
    );
    await page.evaluate(`(() => {
      window.__shown = {};
      const look = () => {
        for (const [sel, key] of window.__watch ?? []) {
          if (window.__shown[key] !== undefined) continue;
          const el = document.querySelector(sel);
          if (el && /^down/.test(el.textContent ?? '')) window.__shown[key] = performance.timeOrigin + performance.now();
        }
      };
      window.__look = look;
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    })()`);
    const change = async (kind: 'target' | 'system', i: number) => {
      const key = kind === 'target' ? tname(i) : sname(i);
      const sel = kind === 'target' ? `[data-target="${key}"] .badge` : `[data-system="${key}"] header .badge`;
      await page.evaluate(`window.__watch = [...(window.__watch ?? []), [${JSON.stringify(sel)}, ${JSON.stringify(key)}]]; window.__look()`);
      const failedAt = Date.now();
      web!.failing.add(kind === 'target' ? `/t/${i}` : `/sys/${i}`);
      // Recorded: the first announcement on the change feed after the failure — for a system its
      // topology commit, for a standalone target the prober's state change (both stamped when made).
      const rec = await waitUntil(
        `${key} announced`,
        async () => {
          const at = (announced.get(key) ?? []).find((x) => x >= failedAt);
          return at ? { at, since: '' } : undefined;
        },
        40_000,
        20,
      );
      const shown: number = await waitUntil(`${key} down on the page`, async () => (await page.evaluate(`window.__shown[${JSON.stringify(key)}]`)) as number | undefined, 30_000, 20);
      const r = { key, failed_at: new Date(failedAt).toISOString(), recorded_seen_at: new Date(rec.at).toISOString(), since: rec.since, shown_at: new Date(Math.round(shown)).toISOString(), latency_ms: Math.round(shown - rec.at) };
      console.log(`  ${kind} ${key}: announced ${((rec.at - failedAt) / 1000).toFixed(1)} s after its path failed; on the page ${r.latency_ms} ms after that`);
      return r;
    };
    // Spread over a few seconds so the changes fall at different phases of the probe schedule.
    const targetChanges = [];
    for (let k = 0; k < o.changes; k++) {
      targetChanges.push(await change('target', 7 + k * 97));
      await sleep(1300);
    }
    const systemChanges = [];
    for (let k = 0; k < o.changes; k++) {
      systemChanges.push(await change('system', 3 + k * 13));
      await sleep(1300);
    }
    await ctx.close();
    const liveMs = median(targetChanges.map((c) => c.latency_ms));
    const liveSystemMs = median(systemChanges.map((c) => c.latency_ms));
    const loadAfter = load();

    const verdict = (v: number, goal: number) => `${(v / goal).toFixed(2)}× the goal: ${v < goal ? 'PASS' : 'MISS'}`;
    console.log('');
    console.log(`first render (median of ${o.loads} cold loads): ${renderMs.toFixed(0)} ms — goal < ${GOAL_RENDER_MS} ms, ${verdict(renderMs, GOAL_RENDER_MS)}`);
    console.log(`JS + CSS shipped: ${kb(jsGzip)} gzip (${kb(assets.reduce((s, a) => s + a.bytes, 0))} raw) — goal < ${kb(GOAL_JS_BYTES)}, ${verdict(jsGzip, GOAL_JS_BYTES)}`);
    console.log(`live update, standalone target down (median of ${o.changes}): ${liveMs} ms — goal < ${GOAL_LIVE_MS} ms, ${verdict(liveMs, GOAL_LIVE_MS)} (range ${Math.min(...targetChanges.map((c) => c.latency_ms))}–${Math.max(...targetChanges.map((c) => c.latency_ms))} ms)`);
    console.log(`live update, system card down (median of ${o.changes}): ${liveSystemMs} ms — goal < ${GOAL_LIVE_MS} ms, ${verdict(liveSystemMs, GOAL_LIVE_MS)} (range ${Math.min(...systemChanges.map((c) => c.latency_ms))}–${Math.max(...systemChanges.map((c) => c.latency_ms))} ms)`);
    console.log(`load average: before ${loadBefore}, after ${loadAfter}`);

    if (o.out) {
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(
        o.out,
        `${JSON.stringify(
          {
            at: new Date().toISOString(),
            machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, load_before: loadBefore, load_after: loadAfter },
            setup: { systems: o.systems, targets: o.targets, interval: '10s', settled_ms: settledMs },
            first_render: { goal_ms: GOAL_RENDER_MS, median_ms: Math.round(renderMs), ratio: renderMs / GOAL_RENDER_MS, loads: renders.map((r) => ({ ready_ms: Math.round(r.ready_ms), dom_content_loaded_ms: Math.round(r.dom_content_loaded_ms), load_ms: Math.round(r.load_ms) })) },
            js_shipped: { goal_bytes: GOAL_JS_BYTES, gzip_bytes: jsGzip, ratio: jsGzip / GOAL_JS_BYTES, gzip: 'zlib level 9 of the bytes as served', assets },
            live_update: {
              recorded: 'targets: first poll (every 20 ms) of GET /api/v1/targets?state=down listing the target; systems: `at` (commit time) of the first nines:changes announcement of the system after its path failed',
              shown: 'MutationObserver in the page, performance.timeOrigin + performance.now()',
              goal_ms: GOAL_LIVE_MS,
              target_median_ms: liveMs,
              target_ratio: liveMs / GOAL_LIVE_MS,
              system_median_ms: liveSystemMs,
              system_ratio: liveSystemMs / GOAL_LIVE_MS,
              targets: targetChanges,
              systems: systemChanges,
            },
          },
          null,
          2,
        )}\n`,
      );
      console.log(`wrote ${o.out}`);
    }
  } finally {
    subscriber?.disconnect();
    await browser?.close().catch(() => undefined);
    await nines?.stop().catch(() => undefined);
    await web?.close().catch(() => undefined);
    await redis?.kill().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    dir.remove();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
