import * as net from 'node:net';
import * as tls from 'node:tls';
import { z } from 'zod';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { compileUserRegex, type UserRegex } from '../../../common/src/user-regex';
import { parseHostPort, regexField } from './fields';
import { httpDriver, type HttpSpec } from './http.driver';
import { responseObserver, type HttpResponse } from './http-request';
import { tcpDriver, type TcpSpec } from './tcp.driver';

// The probes a VIP can be reached with. Imported directly, not through the registry, so the
// registry (which lists this driver) and this file do not import each other.
const NESTED: Record<'http' | 'tcp', ProbeDriver> = { http: httpDriver, tcp: tcpDriver };

const nestedProbe = z
  .object({ kind: z.enum(['http', 'tcp'], { errorMap: () => ({ message: 'must be http or tcp' }) }) })
  .passthrough()
  .transform((v, ctx) => {
    const { kind, ...fields } = v;
    const r = NESTED[kind].schema.safeParse(fields);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    return { kind, ...(r.data as Record<string, unknown>) } as ({ kind: 'http' } & HttpSpec) | ({ kind: 'tcp' } & TcpSpec);
  });

export const vipSchema = z
  .object({
    /** How the VIP is reached: an http or tcp probe spec; its own checks decide up/down. */
    probe: nestedProbe,
    /**
     * What names the node that answered: a response header (http) or a regex over the body (http)
     * or over what the server sent (tcp); its first capture group, or the whole match, is the node.
     */
    identify: z.union([z.object({ header: z.string().min(1) }).strict(), z.object({ body_regex: regexField }).strict()]),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.probe?.kind === 'tcp' && 'header' in s.identify) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['identify', 'header'], message: 'needs an http probe (tcp has no headers; use body_regex)' });
    }
  });
export type VipSpec = z.infer<typeof vipSchema>;

/** Reads the node name from a response: the header's value, or the regex's first group. */
export function identifyHolder(identify: VipSpec['identify'], headers: Record<string, string | string[] | undefined>, body: string): string | undefined {
  if ('header' in identify) {
    const v = headers[identify.header.toLowerCase()];
    const s = (Array.isArray(v) ? v[0] : v)?.trim();
    return s ? s : undefined;
  }
  const m = compileUserRegex(identify.body_regex).exec(body);
  if (!m) return undefined;
  const name = (m.groups?.node ?? m[1] ?? m[0]).trim();
  return name || undefined;
}

/** Combines the nested probe's verdict with who answered. */
export function interpretVip(nested: Observation, holder: string | undefined, identify: VipSpec['identify']): Observation {
  const how = 'header' in identify ? `header ${identify.header}` : `/${identify.body_regex}/`;
  const details: Record<string, unknown> = { holder: holder ?? null, identified_by: how };
  if (nested.details) details.probe = nested.details;
  const obs: Observation = { up: nested.up, details };
  if (nested.httpStatus !== undefined) obs.httpStatus = nested.httpStatus;
  if (nested.certExpiry !== undefined) obs.certExpiry = nested.certExpiry;
  if (nested.warning) obs.warning = nested.warning;
  if (holder) obs.leader = holder;
  if (!nested.up) obs.reason = nested.reason ?? 'VIP probe failed';
  else if (!holder) {
    obs.up = false;
    obs.reason = 'VIP answered but no node marker';
  }
  return obs;
}

/** For tcp VIPs: one more dialogue on a fresh connection, collecting what the server sends. */
function tcpTranscript(spec: TcpSpec, re: UserRegex, ctx: ProbeContext): Promise<string> {
  const { host, port } = parseHostPort(spec.address)!;
  return new Promise((resolve) => {
    let text = '';
    const sock: net.Socket = spec.tls
      ? tls.connect({ host, port, servername: spec.server_name ?? (net.isIP(host) ? undefined : host), rejectUnauthorized: spec.tls_verify })
      : net.connect({ host, port });
    const done = () => {
      ctx.signal.removeEventListener('abort', done);
      sock.destroy();
      resolve(text);
    };
    sock.setEncoding('utf8');
    sock.on(spec.tls ? 'secureConnect' : 'connect', () => {
      const sends = spec.send === undefined ? [] : Array.isArray(spec.send) ? spec.send : [spec.send];
      for (const s of sends) sock.write(s.endsWith('\n') ? s : s + '\r\n');
    });
    sock.on('data', (d: string) => {
      text = (text + d).slice(-65536);
      if (re.test(text)) done();
    });
    sock.on('error', done);
    sock.on('close', done);
    ctx.signal.addEventListener('abort', done, { once: true });
  });
}

export async function probeVip(spec: VipSpec, ctx: ProbeContext): Promise<Observation> {
  const { kind, ...fields } = spec.probe;
  if (kind === 'http') {
    const http = fields as HttpSpec;
    let last: HttpResponse | undefined;
    const nested = await responseObserver.run(
      (res) => (last = res),
      () => httpDriver.probe(http, ctx),
    );
    const holder = last ? identifyHolder(spec.identify, last.headers, last.body.toString('utf8')) : undefined;
    return interpretVip(nested, holder, spec.identify);
  }
  const tcp = fields as TcpSpec;
  const nested = await tcpDriver.probe(tcp, ctx);
  if (!nested.up || !('body_regex' in spec.identify)) return interpretVip(nested, undefined, spec.identify);
  const text = await tcpTranscript(tcp, compileUserRegex(spec.identify.body_regex), ctx);
  return interpretVip(nested, identifyHolder(spec.identify, {}, text), spec.identify);
}

export const vipDriver: ProbeDriver<VipSpec> = {
  kind: 'vip',
  schema: vipSchema,
  secrets: (spec) => {
    const { kind, ...fields } = spec.probe;
    return NESTED[kind].secrets?.(fields) ?? [];
  },
  probe: probeVip,
};
