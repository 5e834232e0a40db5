import { systemClock, type Clock } from '../../common/src/clock';
import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import { secretScrubber } from '../../common/src/secrets';
import { assertAllowedTarget } from './address-policy';
import { firstChars, publicOnlyLookup, retryAfterMs } from './provider-http';
import { NotifyError, type NotificationPayload, type Notifier } from './notification';
import { renderBody } from './webhook-formats';

export interface WebhookReceiver {
  url: string;
  format: 'standard' | 'alertmanager' | 'slack';
  secret?: string;
  allowPrivate: boolean;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Standard Webhooks signature: base64 HMAC-SHA256 over `${id}.${timestamp}.${body}`, as `v1,<sig>`. */
export function signStandardWebhook(secret: string, id: string, timestampSec: number, body: string): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')}`;
}

/** Connections to one receiver at once; deliveries beyond it wait for a free one. */
const MAX_CONNECTIONS = 32;

/**
 * A receiver's error body may echo the request's credentials back in a form the secret scrubber
 * does not know (the Basic header built from the URL's user:password): mask what was sent.
 */
function maskSent(text: string, url: URL, headers: Record<string, string>): string {
  const sent: string[] = [];
  if (url.password) sent.push(Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64'));
  for (const [k, v] of Object.entries(headers)) if (/authorization|token|key|secret/i.test(k)) sent.push(v, v.replace(/^\S+\s+/, ''));
  let out = text;
  for (const s of sent.filter((x) => x.length >= 3).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

/**
 * Delivers one notification by HTTP POST; 2xx is success, 5xx/408/429/network errors are
 * retryable. Each receiver has its own undici connection pool: kept-alive connections, at most
 * `MAX_CONNECTIONS` to the receiver at once (the rest queue), redirects not followed, and the
 * address policy applied again when a connection is made.
 */
export class WebhookNotifier implements Notifier {
  private readonly dispatcher: Agent;

  constructor(
    private readonly r: WebhookReceiver,
    private readonly clock: Clock = systemClock,
  ) {
    this.dispatcher = new Agent({
      connections: MAX_CONNECTIONS,
      keepAliveTimeout: 4_000,
      connect: { timeout: r.timeoutMs, ...(r.allowPrivate ? {} : { lookup: publicOnlyLookup }) },
    });
  }

  /** Closes the kept-alive connections (the config was reloaded and this receiver replaced). */
  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const url = new URL(this.r.url);
    await assertAllowedTarget(url, this.r.allowPrivate);
    const body = JSON.stringify(renderBody(this.r.format, p));
    const stamp = Math.floor(this.clock.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Nines/0.1',
      'webhook-id': p.id,
      'webhook-timestamp': String(stamp),
      ...this.r.headers,
    };
    if (this.r.secret) headers['webhook-signature'] = signStandardWebhook(this.r.secret, p.id, stamp, body);
    // Credentials in the URL become Basic auth, and never travel in the request line.
    if (url.username || url.password) {
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'authorization'))
        headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    const target = new URL(url.pathname + url.search, url.origin);
    let res: { status: number; retryAfter?: number; text: string };
    try {
      const r = await request(target, {
        dispatcher: this.dispatcher,
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        body,
        signal,
        headersTimeout: this.r.timeoutMs,
        bodyTimeout: this.r.timeoutMs,
      });
      res = { status: r.statusCode, retryAfter: retryAfterMs(r.headers['retry-after'], this.clock.now()), text: '' };
      if (r.statusCode >= 200 && r.statusCode < 300) await r.body.dump({ limit: 64 * 1024 });
      else res.text = await firstChars(r.body, 512);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const cause = (e.cause ?? e) as NodeJS.ErrnoException;
      if (cause.code === 'EPRIVATE' || e.code === 'EPRIVATE') throw new NotifyError(cause.message, false);
      const timedOut = /TIMEOUT/.test(e.code ?? '') || e.name === 'TimeoutError';
      const what = timedOut ? `timeout after ${this.r.timeoutMs}ms` : e.message;
      throw new NotifyError(secretScrubber.scrub(`${url.host}: ${cause.code ?? e.code ?? e.name}: ${what}`), true);
    }
    if (res.status >= 200 && res.status < 300) return;
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    const text = res.text ? `: ${maskSent(res.text.slice(0, 200), url, this.r.headers)}` : '';
    throw new NotifyError(secretScrubber.scrub(`${url.host} answered ${res.status}${text}`), retryable, res.retryAfter, res.status);
  }
}
