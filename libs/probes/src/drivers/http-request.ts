import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import { createConnection, isIP, type NetConnectOpts } from 'node:net';
import type { TLSSocket, PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import type { ProbeContext } from '../driver';
import { reasonFromError } from '../reasons';

/** Enough for any health or stats page; more is a misconfigured target. */
export const MAX_BODY = 1 << 20;

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Verify the server certificate (default true). */
  tlsVerify?: boolean;
  signal: AbortSignal;
  maxBody?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Earliest expiry in the served certificate chain, epoch seconds (https only). */
  certExpiry?: number;
  /** The body was longer than maxBody and was cut there. */
  truncated?: boolean;
}

/**
 * Lets a wrapping driver see the raw responses of a driver it runs (the vip driver reads the
 * header or body naming the node that answered) without that driver knowing about it.
 */
export const responseObserver = new AsyncLocalStorage<(res: HttpResponse, url: URL) => void>();

function earliestExpiry(cert: DetailedPeerCertificate | PeerCertificate | undefined): number | undefined {
  let earliest: number | undefined;
  const seen = new Set<string>();
  let c = cert as DetailedPeerCertificate | undefined;
  while (c && c.valid_to && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    const t = Date.parse(c.valid_to) / 1000;
    if (Number.isFinite(t) && (earliest === undefined || t < earliest)) earliest = t;
    c = c.issuerCertificate;
  }
  return earliest;
}

/** Plain TCP connect for a request that has no Agent (Node then sends Connection: close). */
const connectDirect = (opts: http.ClientRequestArgs) => createConnection(opts as NetConnectOpts);

/**
 * One HTTP request on a fresh connection (a pooled socket would hide connect failures). Basic
 * auth written in the URL (http://user:pass@host/) is sent as an Authorization header by Node.
 * Rejects with the socket error; callers turn it into a reason with reasonFromError.
 */
export function httpRequest(url: URL, opts: HttpRequestOptions): Promise<HttpResponse> {
  const maxBody = opts.maxBody ?? MAX_BODY;
  const observe = responseObserver.getStore();
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const mod = isHttps ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'Nines-Probe/0.1', ...opts.headers };
    let certExpiry: number | undefined;
    const req = mod.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers,
        // A fresh connection per request (agent: false builds a throwaway Agent each time; plain
        // http skips even that and connects directly, which is the same socket for less CPU).
        ...(isHttps ? { agent: false } : { createConnection: connectDirect }),
        signal: opts.signal,
        // SNI carries host names only (RFC 6066); for an IP, Node verifies the certificate against the IP itself.
        ...(isHttps ? { rejectUnauthorized: opts.tlsVerify ?? true, servername: isIP(host) ? undefined : host } : {}),
      },
      (res) => {
        if (isHttps) certExpiry = earliestExpiry((res.socket as TLSSocket).getPeerCertificate?.(true));
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on('data', (c: Buffer) => {
          if (size < maxBody) {
            chunks.push(c);
            size += c.length;
          } else truncated = true;
        });
        res.on('end', () => {
          const response = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, maxBody), certExpiry, truncated: truncated || size > maxBody };
          observe?.(response, url);
          resolve(response);
        });
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      },
    );
    req.on('error', reject);
    if (isHttps) {
      req.on('socket', (s) =>
        s.once('secureConnect', () => {
          certExpiry = earliestExpiry((s as TLSSocket).getPeerCertificate(true));
        }),
      );
    }
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** A failure keeps the status and the body of a non-2xx answer: services explain errors there. */
export type Fetched = { ok: true; res: HttpResponse; text: string } | { ok: false; reason: string; status?: number; body?: string };

/**
 * GET for drivers that read a status page: a network error or a non-2xx status becomes a short
 * reason prefixed with `what` ("stats page: status 503"), never a throw.
 */
export async function fetchText(url: string | URL, ctx: ProbeContext, what: string, opts: Partial<HttpRequestOptions> = {}): Promise<Fetched> {
  let res: HttpResponse;
  try {
    res = await httpRequest(typeof url === 'string' ? new URL(url) : url, { ...opts, signal: ctx.signal });
  } catch (err) {
    return { ok: false, reason: `${what}: ${reasonFromError(err, ctx.timeoutMs)}` };
  }
  if (res.status < 200 || res.status > 299) {
    const auth = res.status === 401 || res.status === 403 ? ' (check credentials)' : '';
    return { ok: false, status: res.status, reason: `${what}: status ${res.status}${auth}`, body: res.body.toString('utf8') };
  }
  return { ok: true, res, text: res.body.toString('utf8') };
}

/** fetchText, then JSON.parse; a body that is not JSON is a failed probe. */
export async function fetchJson(url: string | URL, ctx: ProbeContext, what: string, opts: Partial<HttpRequestOptions> = {}): Promise<{ ok: true; json: unknown; res: HttpResponse } | { ok: false; reason: string; status?: number }> {
  const r = await fetchText(url, ctx, what, { ...opts, headers: { accept: 'application/json', ...opts.headers } });
  if (!r.ok) return r;
  try {
    return { ok: true, json: JSON.parse(r.text), res: r.res };
  } catch {
    return { ok: false, reason: `${what}: body is not valid JSON` };
  }
}

/** Joins a path onto a base URL, keeping the base's own path prefix (http://h/es + /_cat → http://h/es/_cat). */
export function joinUrl(base: string, path: string): URL {
  const u = new URL(base);
  const [p, q] = path.split('?');
  u.pathname = u.pathname.replace(/\/+$/, '') + p;
  u.search = q ? `?${q}` : '';
  return u;
}
