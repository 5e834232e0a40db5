import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a value other than undefined/false, or fails with the last value
 * seen (so a timeout says what was there instead of what was wanted).
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await sleep(everyMs);
  }
}

/**
 * waitFor for a state that describes itself: `check` returns true, or what it saw instead, and a
 * timeout reports the last description (waitFor can only say "false").
 */
export async function waitUntil(what: string, check: () => Promise<true | string> | true | string, timeoutMs = 15_000, everyMs = 100): Promise<void> {
  let seen = '';
  try {
    await waitFor(
      what,
      async () => {
        const r = await check();
        if (r === true) return true;
        seen = r;
        return false;
      },
      timeoutMs,
      everyMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${seen}`);
  }
}

export async function getJson<T = any>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export async function getText(url: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** An HTTP server on an ephemeral port that records every request (path and arrival time). */
export interface RecordingServer {
  server: Server;
  port: number;
  url: string;
  requests: { path: string; at: number }[];
  close(): Promise<void>;
}

export async function startRecordingServer(handler?: (req: IncomingMessage, res: ServerResponse) => void, opts: { port?: number } = {}): Promise<RecordingServer> {
  const requests: { path: string; at: number }[] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '/', at: Date.now() });
    if (handler) return handler(req, res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Parses Prometheus text into samples: name, labels, value. */
export function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}
