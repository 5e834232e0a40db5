import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One target-server process: a few plain HTTP ports on 127.0.0.1 answering every path with
 * 200 "ok". The benchmark runs several of these as separate processes so serving the targets
 * is never counted as the prober's CPU. Every response closes its connection, so both probers
 * see the same server behaviour (one fresh TCP connection per probe).
 */
const portCount = Number(process.env.BENCH_PORTS ?? 4);
const maxMs = Number(process.env.BENCH_MAX_MS ?? 600_000);
let served = 0;

const body = Buffer.from('ok\n');
const servers: http.Server[] = [];

async function main(): Promise<void> {
  const ports: number[] = [];
  for (let i = 0; i < portCount; i++) {
    const server = http.createServer((req, res) => {
      served += 1;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, connection: 'close' });
      res.end(body);
    });
    server.maxConnections = 20_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
    });
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  process.send?.({ type: 'ready', ports });
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'count') process.send?.({ type: 'count', served });
});
// The parent is gone (or done): never outlive it.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), maxMs).unref();

main().catch((err) => {
  console.error('target server failed:', err);
  process.exit(1);
});
