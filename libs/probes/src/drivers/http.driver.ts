import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket, PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import { z } from 'zod';
import { parseDuration, formatDuration } from '../../../common/src/duration';
import { secretsOfUrl, maskUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { reasonFromError } from '../reasons';
import { durationField, httpUrl } from './fields';
import { evaluateJsonPath, parseJsonPath } from './json-path';

const MAX_BODY = 1 << 20; // enough for any health page; more is a misconfigured target
const MAX_REDIRECTS = 10;

export const httpSchema = z
  .object({
    url: httpUrl,
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'PATCH', 'DELETE']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    expect_status: z.array(z.number().int().min(100).max(599)).nonempty().optional(),
    body_regex: z
      .string()
      .refine((s) => isRegex(s), { message: 'is not a valid regular expression' })
      .optional(),
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

function isRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  certExpiry?: number;
}

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

function requestOnce(url: URL, spec: HttpSpec, ctx: ProbeContext): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'Nines-Probe/0.1', ...spec.headers };
    let certExpiry: number | undefined;
    const req = mod.request(
      url,
      {
        method: spec.method,
        headers,
        agent: false, // a fresh connection each probe: a pooled socket would hide connect failures
        signal: ctx.signal,
        ...(isHttps ? { rejectUnauthorized: spec.tls_verify, servername: url.hostname } : {}),
      },
      (res) => {
        if (isHttps) certExpiry = earliestExpiry((res.socket as TLSSocket).getPeerCertificate?.(true));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) {
            chunks.push(c);
            size += c.length;
          }
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, MAX_BODY), certExpiry }),
        );
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
    if (spec.body !== undefined) req.end(spec.body);
    else req.end();
  });
}

function statusOk(spec: HttpSpec, status: number): boolean {
  return spec.expect_status ? spec.expect_status.includes(status) : status >= 200 && status < 300;
}

export async function probeHttp(spec: HttpSpec, ctx: ProbeContext): Promise<Observation> {
  let url = new URL(spec.url);
  let res: RawResponse;
  let redirects = 0;
  try {
    for (;;) {
      res = await requestOnce(url, spec, ctx);
      const location = res.headers.location;
      if (spec.follow_redirects && res.status >= 300 && res.status < 400 && location && !spec.expect_status?.includes(res.status)) {
        if (++redirects > MAX_REDIRECTS) return { up: false, reason: `more than ${MAX_REDIRECTS} redirects` };
        url = new URL(location, url);
        continue;
      }
      break;
    }
  } catch (err) {
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs) };
  }
  const obs: Observation = { up: true, httpStatus: res.status, certExpiry: res.certExpiry };
  if (redirects) obs.details = { redirects, final_url: maskUrl(url.toString()) };
  if (!statusOk(spec, res.status)) return { ...obs, up: false, reason: `status ${res.status}` };
  if (spec.body_regex !== undefined) {
    const text = res.body.toString('utf8');
    if (!new RegExp(spec.body_regex).test(text)) return { ...obs, up: false, reason: `body does not match /${spec.body_regex}/` };
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
    const left = obs.certExpiry * 1000 - Date.now();
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
