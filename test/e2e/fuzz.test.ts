import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../support/env';
import { fuzzRequests, type FuzzRequest } from '../support/fuzz';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';

const SEED = Number(process.env.NINES_FUZZ_SEED ?? 13);
const COUNT = Number(process.env.NINES_FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 16;
const MiB = 1024 * 1024;

interface Answer {
  status: number;
  body: string;
}

/** One request as the generator made it, bytes and headers as they are (no client-side "fixing"). */
function send(base: URL, agent: Agent, r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.body) headers['content-length'] = r.body.length;
    const req = request({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers, agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        // Keep the start of the answer for the report; the rest is only counted.
        if (size < 4096) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 4096) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end(r.body);
  });
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * A real Nines process (its own PostgreSQL database and redis-server, no API tokens, loopback: the
 * API is open) takes COUNT malformed requests across every route — bad JSON, wrong types, huge and
 * deep bodies, NUL and invalid UTF-8, path traversal, regex bombs, label floods, huge headers, bad
 * query strings and content types — from a seeded PRNG (NINES_FUZZ_SEED replays a run). None may
 * be answered with a 5xx, the process must stay up, /readyz must answer 200 throughout, and its
 * memory must not run away.
 */
describe('fuzz: thousands of malformed requests across every route (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let redis: RedisNode;
  const dir = tempDir('fuzz');
  let nines: NinesProcess;

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('fuzz');
    const down = await closedPort();
    const config = writeConfig(`
limits: { open_silences: 40, api_slos: 15, writes_per_minute: 1000000, ingest_per_minute: 1000000 }   # the fuzz must reach the handlers, not the rate limiter
defaults: { interval: 5s, timeout: 1s }
systems:
  - name: orders
    layer: storage
    kind: postgres
    members:
      - name: pg1
        probe: { kind: tcp, address: "127.0.0.1:${down}" }
  - name: edge
    layer: network
    kind: keepalived
    members:
      - name: lb1
        probe: { kind: http, url: "http://127.0.0.1:${down}/", body_regex: "ok|ready" }
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1:${down}/" }
    labels: { team: web }
slos:
  - name: orders-availability
    selector: { system: orders }
    objective: 99.9
    window: 30d
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redis.port}`, env: { NINES_LOG_LEVEL: 'info' } });
  });

  after(async () => {
    await nines?.stop();
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  it(`answers ${COUNT} malformed requests with no 5xx, stays up and ready, and keeps its memory`, { timeout: 300_000 }, async () => {
    const base = new URL(nines.url);
    const pid = nines.proc.pid!;
    let exited: string | undefined;
    nines.proc.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));

    // /readyz is polled on its own connection throughout: a stuck event loop or a crash shows here.
    const readyAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const readiness = { polls: 0, failures: [] as string[], slowestMs: 0 };
    let fuzzing = true;
    const poller = (async () => {
      while (fuzzing) {
        const t = Date.now();
        try {
          const r = await send(base, readyAgent, { method: 'GET', path: '/readyz', headers: {}, kind: 'readyz' });
          if (r.status !== 200) readiness.failures.push(`${r.status} ${r.body.slice(0, 200)}`);
        } catch (err) {
          readiness.failures.push((err as Error).message);
        }
        readiness.polls++;
        readiness.slowestMs = Math.max(readiness.slowestMs, Date.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // Let start-up settle (first probes, JIT) before the baseline.
    await new Promise((r) => setTimeout(r, 2_000));
    const rssBefore = rssBytes(pid);
    const statuses = new Map<number, number>();
    const kinds = new Map<string, number>();
    const routeMs = new Map<string, { n: number; ms: number }>();
    const serverErrors: string[] = [];
    const transportErrors: string[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const stream = fuzzRequests(SEED, COUNT, Date.now());
    let sent = 0;
    const started = Date.now();
    const worker = async () => {
      for (let next = stream.next(); !next.done; next = stream.next()) {
        const r = next.value;
        sent++;
        kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
        const t = Date.now();
        try {
          const a = await send(base, agent, r);
          const rt = routeMs.get(r.route!) ?? { n: 0, ms: 0 };
          routeMs.set(r.route!, { n: rt.n + 1, ms: rt.ms + Date.now() - t });
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          if (a.status >= 500) serverErrors.push(`${a.status} ${r.method} ${r.path.slice(0, 120)} [${r.kind}] body=${r.body?.subarray(0, 160).toString('utf8')} → ${a.body.slice(0, 300)}`);
        } catch (err) {
          // A server that closes a connection it refused (431 for huge headers) is fine; a dead one is caught below.
          transportErrors.push(`${r.method} ${r.path.slice(0, 80)} [${r.kind}]: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    // Give the collector a moment, then take the figure after the run.
    await new Promise((r) => setTimeout(r, 2_000));
    const rssAfter = rssBytes(pid);
    fuzzing = false;
    await poller;
    agent.destroy();
    readyAgent.destroy();

    const byStatus = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(`# fuzz seed ${SEED}: ${sent} requests in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)} requests/s), ${CONCURRENCY} at a time`);
    console.log(`# statuses: ${byStatus}; transport errors: ${transportErrors.length}`);
    console.log(`# kinds: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(`# RSS before ${(rssBefore / MiB).toFixed(1)} MiB, after ${(rssAfter / MiB).toFixed(1)} MiB (growth ${((rssAfter - rssBefore) / MiB).toFixed(1)} MiB)`);
    console.log(`# /readyz: ${readiness.polls} polls, ${readiness.failures.length} not 200, slowest ${readiness.slowestMs} ms`);
    const slowest = [...routeMs].sort((a, b) => b[1].ms / b[1].n - a[1].ms / a[1].n).slice(0, 5);
    console.log(`# slowest routes (mean): ${slowest.map(([k, v]) => `${k} ${(v.ms / v.n).toFixed(0)} ms`).join(', ')}`);
    for (const e of serverErrors.slice(0, 20)) console.log(`# 5xx: ${e}`);
    for (const e of transportErrors.slice(0, 5)) console.log(`# transport: ${e}`);

    assert.equal(exited, undefined, `the process died during the run:\n${nines.logs().slice(-4000)}`);
    assert.equal(sent, COUNT);
    assert.deepEqual(serverErrors, [], 'no request may be answered with a 5xx');
    assert.equal(statuses.get(429) ?? 0, 0, 'the rate limiter answered: the fuzz did not reach the handlers');
    assert.deepEqual(readiness.failures, [], '/readyz must answer 200 throughout');
    assert.ok(readiness.polls > 0);
    assert.ok(rssAfter - rssBefore < 200 * MiB, `RSS grew by ${((rssAfter - rssBefore) / MiB).toFixed(1)} MiB`);
    // Almost every request reaches a handler and gets an answer; a few may be cut by the server (431).
    assert.ok(transportErrors.length < COUNT / 100, `${transportErrors.length} requests got no answer:\n${transportErrors.slice(0, 10).join('\n')}`);
    // And it still works afterwards.
    const after = await send(base, new Agent(), { method: 'GET', path: '/api/v1/systems', headers: {}, kind: 'after' });
    assert.equal(after.status, 200);
  });
});
