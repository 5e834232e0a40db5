import { z } from 'zod';
import { secretsOfUrl } from '../../../common/src/secrets';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { reasonFromError } from '../reasons';
import { httpUrl } from './fields';
import { fetchText, httpRequest } from './http-request';

export const nginxSchema = z
  .object({
    /** The stub_status location, e.g. http://127.0.0.1:8080/nginx_status. */
    url: httpUrl,
    /** Optional: a URL proxied by this nginx, to see upstream health the way clients do. */
    upstream_url: httpUrl.optional(),
    /** Statuses of upstream_url that count as healthy (default: any 2xx). */
    expect_status: z.array(z.number().int().min(100).max(599)).nonempty().optional(),
    tls_verify: z.boolean().default(true),
  })
  .strict()
  .refine((s) => s.expect_status === undefined || s.upstream_url !== undefined, {
    message: 'expect_status needs upstream_url',
    path: ['expect_status'],
  });
export type NginxSpec = z.infer<typeof nginxSchema>;

export interface StubStatus {
  active: number;
  accepts: number;
  handled: number;
  requests: number;
  reading: number;
  writing: number;
  waiting: number;
}

const STUB = /^\s*Active connections:\s*(\d+)\s*\n\s*server accepts handled requests\s*\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n\s*Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)\s*$/;

/** Parses ngx_http_stub_status_module output; undefined for anything else. */
export function parseStubStatus(text: string): StubStatus | undefined {
  const m = STUB.exec(text.replace(/\r\n/g, '\n'));
  if (!m) return undefined;
  const [active, accepts, handled, requests, reading, writing, waiting] = m.slice(1).map(Number);
  return { active, accepts, handled, requests, reading, writing, waiting };
}

/**
 * nginx is up when stub_status answers. handled < accepts means nginx dropped connections it had
 * accepted (worker_connections or another resource limit): up, with a warning.
 */
export function interpretStubStatus(text: string): Observation {
  const s = parseStubStatus(text);
  if (!s) return { up: false, reason: 'response is not nginx stub_status output' };
  const obs: Observation = { up: true, details: { ...s } };
  const dropped = s.accepts - s.handled;
  if (dropped > 0) obs.warning = `${dropped} accepted connections were dropped (worker_connections limit?)`;
  return obs;
}

export async function probeNginx(spec: NginxSpec, ctx: ProbeContext): Promise<Observation> {
  const r = await fetchText(spec.url, ctx, 'stub_status', { tlsVerify: spec.tls_verify });
  if (!r.ok) return { up: false, reason: r.reason, httpStatus: r.status };
  const obs = interpretStubStatus(r.text);
  if (!obs.up || spec.upstream_url === undefined) return obs;
  let status: number;
  try {
    status = (await httpRequest(new URL(spec.upstream_url), { signal: ctx.signal, tlsVerify: spec.tls_verify, maxBody: 64 * 1024 })).status;
  } catch (err) {
    return { ...obs, up: false, reason: `upstream check: ${reasonFromError(err, ctx.timeoutMs)}` };
  }
  obs.details = { ...obs.details, upstream_status: status };
  obs.httpStatus = status;
  const healthy = spec.expect_status ? spec.expect_status.includes(status) : status >= 200 && status < 300;
  if (!healthy) {
    // 502/504 come from nginx itself: the upstream is down or slow, not the proxy.
    const hint = status === 502 ? ' (bad gateway: upstream down)' : status === 504 ? ' (gateway timeout: upstream slow)' : '';
    return { ...obs, up: false, reason: `upstream via proxy: status ${status}${hint}` };
  }
  return obs;
}

export const nginxDriver: ProbeDriver<NginxSpec> = {
  kind: 'nginx',
  schema: nginxSchema,
  secrets: (spec) => [...secretsOfUrl(spec.url), ...(spec.upstream_url ? secretsOfUrl(spec.upstream_url) : [])],
  probe: probeNginx,
};
