import { Inject, Injectable } from '@nestjs/common';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { ProbeSpec, ProbeTarget } from '../../../../libs/probes/src/target';
import { CONFIG } from '../runtime/tokens';

/** One entry of Prometheus' http_sd_configs answer. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * `exporter`: Prometheus endpoints Nines itself reads (exporter probes, HAProxy's /metrics), to be
 * scraped as they are. `probe`: the address of every probe target, for a blackbox_exporter job
 * (relabel `__address__` into `__param_target`).
 */
export const SD_ROLES = ['exporter', 'probe'] as const;
export type SdRole = (typeof SD_ROLES)[number];

// Query parameters that carry credentials never leave Nines (secrets.ts masks the same names).
const SECRET_PARAM = /^(password|passwd|pwd|secret|token|access_token|api_key|apikey|key)$/i;
const DEFAULT_PORTS: Record<string, number> = { postgres: 5432, postgresql: 5432, mysql: 3306, mariadb: 3306, redis: 6379, rediss: 6379, amqp: 5672, amqps: 5671, http: 80, https: 443 };

function parseUrl(raw: unknown): URL | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function hostPortOf(u: URL): string | undefined {
  const scheme = u.protocol.replace(/:$/, '');
  const port = u.port || DEFAULT_PORTS[scheme];
  return u.hostname && port ? `${u.hostname}:${port}` : undefined;
}

/** The URL without user info and without credential-like query parameters. */
function publicUrl(u: URL): string {
  const c = new URL(u.toString());
  c.username = '';
  c.password = '';
  for (const k of [...c.searchParams.keys()]) if (SECRET_PARAM.test(k)) c.searchParams.delete(k);
  return c.toString();
}

function labelName(raw: string): string {
  return raw.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
}

/** Where a probe connects: URLs for HTTP probes (blackbox http), host:port for everything else. */
export function probeAddresses(spec: ProbeSpec): string[] {
  const out: string[] = [];
  const fromUrl = (raw: unknown) => {
    const u = parseUrl(raw);
    if (!u) return;
    if (spec.kind === 'http' && (u.protocol === 'http:' || u.protocol === 'https:')) out.push(publicUrl(u));
    else {
      const hp = hostPortOf(u);
      if (hp) out.push(hp);
    }
  };
  const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : []).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  if (spec.kind === 'vip' && spec.probe && typeof spec.probe === 'object') return probeAddresses(spec.probe as ProbeSpec);
  fromUrl(spec.url);
  if (spec.url === undefined) fromUrl(spec.admin_url);
  out.push(...list(spec.address));
  if (spec.kind === 'dns' && typeof spec.server === 'string') out.push(spec.server);
  for (const field of ['sentinels', 'nodes', 'brokers']) out.push(...list(spec[field]));
  return [...new Set(out)];
}

/** A Prometheus endpoint this probe reads, as http_sd labels for scraping it directly. */
function exporterEndpoint(spec: ProbeSpec): { address: string; labels: Record<string, string> } | undefined {
  const isExporter = spec.kind === 'exporter' || (spec.kind === 'haproxy' && typeof spec.url === 'string' && /\/metrics\/?$/.test(parseUrl(spec.url)?.pathname ?? ''));
  const u = isExporter ? parseUrl(spec.url) : undefined;
  const address = u && hostPortOf(u);
  if (!u || !address) return undefined;
  const labels: Record<string, string> = { __scheme__: u.protocol.replace(/:$/, ''), __metrics_path__: u.pathname || '/metrics' };
  for (const [k, v] of u.searchParams) if (!SECRET_PARAM.test(k)) labels[`__param_${labelName(k)}`] = v;
  return { address, labels };
}

function describe(t: ProbeTarget, role: SdRole): Record<string, string> {
  const labels: Record<string, string> = {
    __meta_nines_sd_role: role,
    __meta_nines_target: t.key,
    __meta_nines_probe_kind: t.probe.kind,
  };
  if (t.system) labels.__meta_nines_system = t.system;
  if (t.member) labels.__meta_nines_member = t.member;
  if (t.layer) labels.__meta_nines_layer = t.layer;
  for (const [k, v] of Object.entries(t.labels ?? {})) labels[`__meta_nines_label_${labelName(k)}`] = v;
  // An exporter's series keep Nines' names after relabelling; probe addresses get only __meta_
  // labels, so a blackbox job's probe_success never mixes into Nines' own probe_success{system}.
  if (role === 'exporter') {
    labels.target = t.key;
    if (t.system) labels.system = t.system;
    if (t.member) labels.member = t.member;
    if (t.layer) labels.layer = t.layer;
  }
  return labels;
}

/** Prometheus http_sd target groups for the configured targets; never a credential. */
export function discoveryGroups(targets: ProbeTarget[], roles: readonly SdRole[] = SD_ROLES): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const t of [...targets].sort((a, b) => a.key.localeCompare(b.key))) {
    if (roles.includes('exporter')) {
      const e = exporterEndpoint(t.probe);
      if (e) groups.push({ targets: [e.address], labels: { ...describe(t, 'exporter'), ...e.labels } });
    }
    if (roles.includes('probe')) {
      const addresses = probeAddresses(t.probe);
      if (addresses.length) groups.push({ targets: addresses, labels: describe(t, 'probe') });
    }
  }
  return groups;
}

@Injectable()
export class SdService {
  constructor(@Inject(CONFIG) private readonly config: ConfigHolder) {}

  groups(role?: SdRole): TargetGroup[] {
    return discoveryGroups(this.config.get().targets, role ? [role] : SD_ROLES);
  }
}
