import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/**
 * Real server processes and tiny HTTP servers for driver integration tests. Ports are picked at
 * run time (bound on port 0, read back, released) so parallel test files never collide.
 */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `nines-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns a foreground server process; stop() sends SIGTERM, then SIGKILL after 3 s. */
export function startProcess(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningProcess {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr?.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.on('error', (e) => (out += `\nspawn error: ${e.message}`));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // A test process that dies or is cancelled must not leave servers running behind it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface TinyHttp {
  port: number;
  origin: string;
  close(): Promise<void>;
}

/** An HTTP server on a free port; close() drops open sockets so it stops at once. */
export async function startTinyHttp(handler: http.RequestListener, port = 0): Promise<TinyHttp> {
  const server = http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const p = (server.address() as net.AddressInfo).port;
  return {
    port: p,
    origin: `http://127.0.0.1:${p}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Serves recorded responses by path (query ignored unless the key has one); 404 otherwise. */
export function startRecordedHttp(
  routes: Record<string, { status?: number; body: string; type?: string } | string>,
): Promise<TinyHttp & { hits: string[]; headers: http.IncomingHttpHeaders[] }> {
  const hits: string[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  return startTinyHttp((req, res) => {
    const url = req.url ?? '/';
    hits.push(url);
    headers.push(req.headers);
    const r = routes[url] ?? routes[url.split('?')[0]];
    if (r === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const rr = typeof r === 'string' ? { body: r } : r;
    res.writeHead(rr.status ?? 200, { 'content-type': rr.type ?? (rr.body.trimStart().startsWith('{') || rr.body.trimStart().startsWith('[') ? 'application/json' : 'text/plain') });
    res.end(rr.body);
  }).then((s) => Object.assign(s, { hits, headers }));
}
