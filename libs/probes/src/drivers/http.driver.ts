import { systemClock } from '../../../common/src/clock';
import { z } from 'zod';
import { parseDuration, formatDuration } from '../../../common/src/duration';
import { secretsOfUrl, maskUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { reasonFromError } from '../reasons';
import { compileUserRegex } from '../../../common/src/user-regex';
import { durationField, httpUrl, regexField } from './fields';
import { httpRequest, MAX_BODY, type HttpResponse } from './http-request';
import { evaluateJsonPath, parseJsonPath } from './json-path';

const MAX_REDIRECTS = 10;

export const httpSchema = z
  .object({
    url: httpUrl,
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'PATCH', 'DELETE']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    expect_status: z.array(z.number().int().min(100).max(599)).nonempty().optional(),
    body_regex: regexField.optional(),
    json_path: z
      .string()
      .refine((s) => parseJsonPath(s) !== undefined, { message: 'is not a valid JSON path (use a.b[0].c or $.a.b)' })
      .optional(),
    json_expect: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    follow_redirects: z.boolean().default(true),
    tls_verify: z.boolean().default(true),
    cert_expiry_warn: durationField.default('14d'),
  })
  .strict()
  .refine((s) => s.json_expect === undefined || s.json_path !== undefined, {
    message: 'json_expect needs json_path',
    path: ['json_expect'],
  });

export type HttpSpec = z.infer<typeof httpSchema>;

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

function requestOnce(hop: Hop, spec: HttpSpec, ctx: ProbeContext): Promise<HttpResponse> {
  return httpRequest(hop.url, { method: hop.method, headers: hop.headers, body: hop.body, tlsVerify: spec.tls_verify, signal: ctx.signal, maxBody: MAX_BODY });
}

const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie)$/i;
const BODY_HEADERS = /^content-(type|encoding|language|location|length)$/i;

/**
 * The request a redirect leads to, as browsers and fetch() make it: 303 (and 301/302 after a
 * POST) continue as a GET without the body, and credentials in headers stay with the origin
 * they were configured for.
 */
function nextHop(prev: Hop, status: number, location: string): Hop {
  const url = new URL(location, prev.url);
  let { method, body } = prev;
  let headers = prev.headers;
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !BODY_HEADERS.test(k)));
  }
  if (url.origin !== prev.url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.test(k)));
  return { url, method, headers, body };
}

function statusOk(spec: HttpSpec, status: number): boolean {
  return spec.expect_status ? spec.expect_status.includes(status) : status >= 200 && status < 300;
}

export async function probeHttp(spec: HttpSpec, ctx: ProbeContext): Promise<Observation> {
  let hop: Hop = { url: new URL(spec.url), method: spec.method, headers: spec.headers, body: spec.body };
  let res: HttpResponse;
  let redirects = 0;
  try {
    for (;;) {
      res = await requestOnce(hop, spec, ctx);
      const location = res.headers.location;
      if (spec.follow_redirects && res.status >= 300 && res.status < 400 && location && !spec.expect_status?.includes(res.status)) {
        if (++redirects > MAX_REDIRECTS) return { up: false, reason: `more than ${MAX_REDIRECTS} redirects` };
        hop = nextHop(hop, res.status, location);
        continue;
      }
      break;
    }
  } catch (err) {
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs) };
  }
  const obs: Observation = { up: true, httpStatus: res.status, certExpiry: res.certExpiry };
  if (redirects) obs.details = { redirects, final_url: maskUrl(hop.url.toString()) };
  if (!statusOk(spec, res.status)) return { ...obs, up: false, reason: `status ${res.status}` };
  if (spec.body_regex !== undefined) {
    const text = res.body.toString('utf8');
    if (!compileUserRegex(spec.body_regex).test(text)) return { ...obs, up: false, reason: `body does not match /${spec.body_regex}/` };
  }
  if (spec.json_path !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(res.body.toString('utf8'));
    } catch {
      return { ...obs, up: false, reason: 'body is not valid JSON' };
    }
    const found = evaluateJsonPath(doc, parseJsonPath(spec.json_path)!);
    if (!found.exists) return { ...obs, up: false, reason: `JSON path ${spec.json_path} not found` };
    if (spec.json_expect !== undefined) {
      if (!jsonEquals(found.value, spec.json_expect))
        return { ...obs, up: false, reason: `JSON path ${spec.json_path} is ${JSON.stringify(found.value)}, expected ${JSON.stringify(spec.json_expect)}` };
    } else if (!found.value) {
      return { ...obs, up: false, reason: `JSON path ${spec.json_path} is ${JSON.stringify(found.value)}` };
    }
  }
  if (obs.certExpiry !== undefined) {
    const left = obs.certExpiry * 1000 - (ctx.now ?? systemClock.now)();
    const warnMs = parseDuration(spec.cert_expiry_warn)!;
    if (left <= 0) obs.warning = 'TLS certificate expired';
    else if (left < warnMs) obs.warning = `TLS certificate expires in ${formatDuration(left)}`;
  }
  return obs;
}

function jsonEquals(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  // Health endpoints disagree on "1" vs 1 and "true" vs true; compare their text.
  if (actual !== null && typeof actual !== 'object' && expected !== null) return String(actual) === String(expected);
  return false;
}

export const httpDriver: ProbeDriver<HttpSpec> = {
  kind: 'http',
  schema: httpSchema,
  secrets: (spec) => [...secretsOfUrl(spec.url), ...Object.entries(spec.headers).filter(([k]) => /authorization|token|key|secret|cookie/i.test(k)).map(([, v]) => v)],
  probe: probeHttp,
};
