import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { reasonFromError } from '../reasons';
import { hostPort, parseHostPort } from './fields';

const TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SRV', 'PTR', 'SOA', 'CAA'] as const;

export const dnsSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(TYPES).default('A'),
    server: z.union([hostPort, z.string().ip()]).optional(),
    expect: z.array(z.string()).optional(),
  })
  .strict();

export type DnsSpec = z.infer<typeof dnsSchema>;

/** Flattens each record type's answer into comparable strings ("10 mx.example.com", "v=spf1 …"). */
function answersToText(type: DnsSpec['type'], answers: unknown): string[] {
  if (!Array.isArray(answers)) {
    if (type === 'SOA' && answers && typeof answers === 'object') {
      const s = answers as { nsname: string; serial: number };
      return [`${s.nsname} ${s.serial}`];
    }
    return [];
  }
  return answers.map((a: any) => {
    switch (type) {
      case 'MX':
        return `${a.priority} ${a.exchange}`;
      case 'TXT':
        return (a as string[]).join('');
      case 'SRV':
        return `${a.priority} ${a.weight} ${a.port} ${a.name}`;
      case 'CAA':
        return `${a.critical} ${Object.keys(a).find((k) => k !== 'critical')} ${Object.values(a).find((v) => typeof v === 'string')}`;
      default:
        return String(a);
    }
  });
}

/** The resolver takes only IP addresses; a server given by name ("ns1.example.com:53") is looked up first. */
async function serverAddress(server: string): Promise<string> {
  const hp = parseHostPort(server);
  if (isIP(server) || !hp || isIP(hp.host)) return server;
  const { address, family } = await lookup(hp.host);
  return family === 6 ? `[${address}]:${hp.port}` : `${address}:${hp.port}`;
}

export async function probeDns(spec: DnsSpec, ctx: ProbeContext): Promise<Observation> {
  const resolver = new Resolver({ timeout: Math.max(100, ctx.timeoutMs), tries: 1 });
  if (spec.server) {
    try {
      resolver.setServers([await serverAddress(spec.server)]);
    } catch (err) {
      return { up: false, reason: `cannot resolve DNS server ${spec.server}: ${reasonFromError(err, ctx.timeoutMs)}` };
    }
  }
  const onAbort = () => resolver.cancel();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const raw = await resolver.resolve(spec.name, spec.type as 'A');
    const answers = answersToText(spec.type, raw);
    if (answers.length === 0) return { up: false, reason: `no ${spec.type} records for ${spec.name}` };
    const missing = (spec.expect ?? []).filter((e) => !answers.some((a) => a.toLowerCase() === e.toLowerCase()));
    if (missing.length) {
      return { up: false, reason: `expected ${missing.join(', ')} in answers, got ${answers.join(', ')}`, details: { answers } };
    }
    return { up: true, details: { answers } };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? '';
    if (ctx.signal.aborted || code === 'ECANCELLED' || code === 'ETIMEOUT') return { up: false, reason: reasonFromError(Object.assign(new Error('t'), { name: 'AbortError' }), ctx.timeoutMs) };
    if (code === 'ENOTFOUND') return { up: false, reason: `NXDOMAIN: ${spec.name}` };
    if (code === 'ENODATA') return { up: false, reason: `no ${spec.type} records for ${spec.name}` };
    if (code === 'ESERVFAIL') return { up: false, reason: 'SERVFAIL' };
    if (code === 'EREFUSED') return { up: false, reason: 'query refused by server' };
    if (code === 'ECONNREFUSED') return { up: false, reason: 'connection refused' };
    if (code === 'EBADRESP' || code === 'EFORMERR') return { up: false, reason: 'malformed DNS response' };
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs) };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

export const dnsDriver: ProbeDriver<DnsSpec> = { kind: 'dns', schema: dnsSchema, probe: probeDns };
