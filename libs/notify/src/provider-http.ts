import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { systemClock, type Clock } from '../../common/src/clock';
import { secretScrubber } from '../../common/src/secrets';
import { isPrivateAddress, privateAddressReason, assertAllowedTarget } from './address-policy';
import { NotifyError } from './notification';

/** Parses Retry-After: seconds or an HTTP date. */
export function retryAfterMs(h: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * The address policy again at connect time: the name is resolved once more by the request, and
 * a DNS answer that changed to a private address since the check (rebinding) must not be used.
 */
export const publicOnlyLookup = ((hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
  dnsLookup(hostname, options, (err, address: string | LookupAddress[], family?: number) => {
    if (err) return callback(err, address, family);
    const bad = (Array.isArray(address) ? address.map((a) => a.address) : [address]).find(isPrivateAddress);
    if (bad) return callback(Object.assign(new Error(privateAddressReason(bad)), { code: 'EPRIVATE' }), address, family);
    callback(null, address, family);
  });
}) as LookupFunction;

/** Reads at most `max` characters of a body, then drops the rest. */
export async function firstChars(body: AsyncIterable<Buffer> & { destroy(): void }, max: number): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    text += chunk.toString('utf8');
    if (text.length >= max) {
      body.destroy();
      break;
    }
  }
  return text.slice(0, max);
}

/** Replaces each of `secrets` (and its URL-encoded form) in `text` by ***, longest first. */
export function maskAll(text: string, secrets: string[]): string {
  let out = text;
  const all = secrets.flatMap((s) => [s, encodeURIComponent(s)]).filter((s) => s.length >= 3);
  for (const s of [...new Set(all)].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

export interface ProviderEndpoint {
  allowPrivate: boolean;
  timeoutMs: number;
}

export interface ProviderResponse {
  status: number;
  retryAfterMs?: number;
  /** The first 4 KiB of the body, for the provider's own success and error fields. */
  text: string;
}

/**
 * One provider's HTTP client: a kept-alive undici pool, redirects not followed, the address policy
 * checked before each request and again at connect time, and every error message scrubbed of the
 * credentials the request carried (in the URL path, a header or the body) before it is logged or stored.
 */
export class ProviderHttp {
  private readonly dispatcher: Agent;

  constructor(
    private readonly e: ProviderEndpoint,
    /** The values this provider's requests carry that must never be echoed in an error. */
    private readonly secrets: string[],
    private readonly clock: Clock = systemClock,
    connections = 8,
  ) {
    this.dispatcher = new Agent({
      connections,
      keepAliveTimeout: 4_000,
      connect: { timeout: e.timeoutMs, ...(e.allowPrivate ? {} : { lookup: publicOnlyLookup }) },
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }

  /** An error message safe to log and store: known secrets and this request's credentials masked. */
  scrub(text: string): string {
    return secretScrubber.scrub(maskAll(text, this.secrets));
  }

  /**
   * Sends one request and returns the provider's answer whatever its status; throws NotifyError
   * only when there was no answer (network, timeout: retryable) or the address is refused (not).
   */
  async send(url: URL, init: { method?: 'POST' | 'GET'; headers: Record<string, string>; body: string }, signal: AbortSignal): Promise<ProviderResponse> {
    await assertAllowedTarget(url, this.e.allowPrivate);
    try {
      const r = await request(url, {
        dispatcher: this.dispatcher,
        method: init.method ?? 'POST',
        headers: { 'user-agent': 'Nines/0.1', ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
        body: init.body,
        signal,
        headersTimeout: this.e.timeoutMs,
        bodyTimeout: this.e.timeoutMs,
      });
      return { status: r.statusCode, retryAfterMs: retryAfterMs(r.headers['retry-after'], this.clock.now()), text: await firstChars(r.body, 4096) };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const cause = (e.cause ?? e) as NodeJS.ErrnoException;
      if (cause.code === 'EPRIVATE' || e.code === 'EPRIVATE') throw new NotifyError(cause.message, false);
      const timedOut = /TIMEOUT/.test(e.code ?? '') || e.name === 'TimeoutError';
      const what = timedOut ? `timeout after ${this.e.timeoutMs}ms` : e.message;
      throw new NotifyError(this.scrub(`${url.host}: ${cause.code ?? e.code ?? e.name}: ${what}`), true);
    }
  }

  /**
   * The default outcome of an answer: 2xx is delivered; 5xx, 408 and 429 are worth retrying
   * (after the provider's Retry-After when it sent one); any other 4xx is not.
   */
  fail(url: URL, res: ProviderResponse, detail?: string, retryable?: boolean, retryAfter?: number): NotifyError {
    const again = retryable ?? (res.status >= 500 || res.status === 408 || res.status === 429);
    const text = detail ?? res.text.slice(0, 300);
    return new NotifyError(this.scrub(`${url.host} answered ${res.status}${text ? `: ${text}` : ''}`), again, retryAfter ?? res.retryAfterMs, res.status);
  }
}

/** Joins a provider base URL (which may carry a path prefix) and an API path. */
export function endpointUrl(base: string, path: string): URL {
  const u = new URL(base);
  const prefix = u.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${path}`, u.origin);
}

/** JSON.parse that answers undefined for anything that is not a JSON object. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
