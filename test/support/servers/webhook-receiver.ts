import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { startRestartableServer } from './restartable-server';

/**
 * A real HTTP webhook receiver. It verifies every request's Standard Webhooks signature (written
 * from the spec: HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` with the base64
 * key after "whsec_"), records it, and answers as each path is told: a status, a Retry-After,
 * or not at all (a hanging receiver).
 */
export interface WebhookHit {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  /** 'ok', 'unsigned' or why the signature did not verify. */
  signature: string;
  /** Set once the receiver answered (or the client went away). */
  answered?: number;
  closedByClient?: boolean;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface WebhookReceiver {
  url: string;
  port: number;
  hits: WebhookHit[];
  hitsOn(path: string): WebhookHit[];
  /** How to answer the n-th (0-based) request on a path; default 200. */
  answer(path: string, fn: (n: number, hit: WebhookHit) => Answer): void;
  /** Answers every request that is being held open. */
  release(status?: number): void;
  /** Stops listening (connections refused) until up(), which listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export function verifyStandardSignature(secret: string, headers: IncomingHttpHeaders, body: string): string {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sig = headers['webhook-signature'];
  if (sig === undefined) return 'unsigned';
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') return 'missing webhook-id or webhook-timestamp';
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return 'timestamp outside the 5 minute tolerance';
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  const ok = sig.split(' ').some((s) => {
    const [v, b64] = s.split(',');
    const given = Buffer.from(b64 ?? '', 'base64');
    return v === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  return ok ? 'ok' : 'signature mismatch';
}

export async function startWebhookReceiver(secrets: Record<string, string> = {}): Promise<WebhookReceiver> {
  const hits: WebhookHit[] = [];
  const answers = new Map<string, (n: number, hit: WebhookHit) => Answer>();
  const held = new Set<{ res: ServerResponse; hit: WebhookHit }>();
  const handler = (req: import('node:http').IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const secret = secrets[path];
      const hit: WebhookHit = { path, at: Date.now(), headers: req.headers, body, json, signature: secret ? verifyStandardSignature(secret, req.headers, body) : 'not checked' };
      const n = hits.filter((h) => h.path === path).length;
      hits.push(hit);
      const a: Answer = (answers.get(path) ?? ((): Answer => ({ status: 200 })))(n, hit);
      if (a === 'hang') {
        const entry = { res, hit };
        held.add(entry);
        res.on('close', () => {
          if (!hit.answered) {
            hit.closedByClient = true;
            hit.answered = Date.now();
          }
          held.delete(entry);
        });
        return;
      }
      hit.answered = Date.now();
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  };
  const server = await startRestartableServer(handler, () => {
    for (const e of held) e.res.destroy();
  });
  const port = server.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    hitsOn: (path) => hits.filter((h) => h.path === path),
    answer: (path, fn) => answers.set(path, fn),
    release(status = 200) {
      for (const e of [...held]) {
        e.hit.answered = Date.now();
        e.res.writeHead(status).end();
        held.delete(e);
      }
    },
    down: server.down,
    up: server.up,
    close: server.down,
  };
}

/** A local HTTP server a probe watches: up (200) until the test stops it, and back on the same port. */
export interface BreakableTarget {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startBreakableTarget(): Promise<BreakableTarget> {
  const s = await startRestartableServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  return { port: s.port, url: `http://127.0.0.1:${s.port}/`, stop: s.down, start: s.up };
}
