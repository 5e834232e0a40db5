import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One target-server process for bench/replica-scale: plain HTTP ports on 127.0.0.1 answering
 * 200 "ok" and closing the connection (as bench/probe-throughput's targets do), which also
 * record who asked for what and when. Each replica's config carries its number in the path
 * (/p<replica>/t<target>), so a request says which replica probed which target: per-replica
 * counts, coverage and the takeover times are read here, not from Nines' own account.
 */
const portCount = Number(process.env.BENCH_PORTS ?? 4);
const maxMs = Number(process.env.BENCH_MAX_MS ?? 600_000);

let replicas = 1;
let targets = 0;
/** Per (replica, target): last request time (ms) and request count. Index r * targets + i. */
let last = new Float64Array(0);
let count = new Uint32Array(0);
let base = new Uint32Array(0);
/** Takeover: after a replica was killed, the first request for each target from any other replica. */
let victim = -1;
let killedAt = Infinity;
let firstAfter = new Float64Array(0);
let owner: number[] = [];
let strange = 0;

const body = Buffer.from('ok\n');

function record(url: string | undefined): void {
  // /p<r>/t<i>, parsed by hand: 3,000 requests a second.
  if (!url || url.charCodeAt(1) !== 112 /* p */) return void (strange += 1);
  const slash = url.indexOf('/', 2);
  const r = Number(url.slice(2, slash));
  const i = Number(url.slice(slash + 2));
  if (!(r >= 0 && r < replicas && i >= 0 && i < targets) || url.charCodeAt(slash + 1) !== 116 /* t */) return void (strange += 1);
  const now = Date.now();
  const k = r * targets + i;
  last[k] = now;
  count[k] += 1;
  if (r !== victim && now >= killedAt && firstAfter[i] === 0) firstAfter[i] = now;
}

function reset(r: number, n: number): void {
  replicas = r;
  targets = n;
  last = new Float64Array(r * n);
  count = new Uint32Array(r * n);
  base = new Uint32Array(r * n);
  victim = -1;
  killedAt = Infinity;
  firstAfter = new Float64Array(n);
  owner = [];
  strange = 0;
}

async function main(): Promise<void> {
  const ports: number[] = [];
  for (let i = 0; i < portCount; i++) {
    const server = http.createServer((req, res) => {
      record(req.url);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, connection: 'close' });
      res.end(body);
    });
    server.maxConnections = 20_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
    });
    ports.push((server.address() as AddressInfo).port);
  }
  process.send?.({ type: 'ready', ports });
}

type Message = { type: 'reset'; replicas: number; targets: number } | { type: 'mark' } | { type: 'window' } | { type: 'arm'; victim: number; at: number } | { type: 'takeover' };

process.on('message', (m: Message) => {
  switch (m.type) {
    case 'reset':
      reset(m.replicas, m.targets);
      return void process.send?.({ type: 'reset' });
    case 'mark':
      base.set(count);
      return void process.send?.({ type: 'mark' });
    case 'window': {
      // Requests per replica per target since the mark.
      const hits: number[][] = [];
      for (let r = 0; r < replicas; r++) {
        const h = new Array<number>(targets);
        for (let i = 0; i < targets; i++) h[i] = count[r * targets + i] - base[r * targets + i];
        hits.push(h);
      }
      return void process.send?.({ type: 'window', hits, strange });
    }
    case 'arm': {
      // Sent right after the kill: no survivor takes a target over within milliseconds (membership
      // needs seconds), so the replica that probed a target last is its owner at the kill.
      victim = m.victim;
      killedAt = m.at;
      owner = new Array<number>(targets).fill(-1);
      for (let i = 0; i < targets; i++) {
        let best = 0;
        for (let r = 0; r < replicas; r++) {
          const t = last[r * targets + i];
          if (t > best) {
            best = t;
            owner[i] = r;
          }
        }
      }
      return void process.send?.({ type: 'arm' });
    }
    case 'takeover':
      return void process.send?.({ type: 'takeover', owner, firstAfter: Array.from(firstAfter) });
  }
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), maxMs).unref();

main().catch((err) => {
  console.error('target server failed:', err);
  process.exit(1);
});
