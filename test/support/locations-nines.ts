import { startNinesProcess, writeConfig, type NinesProcess } from './nines-process';
import type { LocationLab, Location } from './location-lab';
import { getJson, getText, parseMetrics } from './wait';

/**
 * Nines on the location lab (issue 17): one prober per location inside its namespace
 * (NINES_LOCATION=dcN, roles prober) and one api+worker process on the host, all on the lab's
 * Redis and PostgreSQL. Used by the e2e test (outcomes) and bench/locations (timings, CPU).
 */
export const LAB_VIP_SYSTEM = 'lab-vip';

export interface LocationsConfigOptions {
  lab: LocationLab;
  intervalMs: number;
  timeoutMs: number;
  /** Targets given `locations: [dc1, dc2, dc3]` and `quorum: 2` explicitly; the rest take the defaults. */
  explicit?: string[];
  /** The keepalived VIP as a system with a vip endpoint (identified by X-Lab-Node). */
  vip?: boolean;
  hook?: { url: string; secret: string };
}

export function locationsConfig(o: LocationsConfigOptions): string {
  const explicit = new Set(o.explicit ?? []);
  const all = `locations: [${o.lab.locations.join(', ')}]`;
  const targets = o.lab.targets.map(
    (t) => `  - name: ${t.name}\n    probe: { kind: http, url: "${t.url}", expect_status: [200] }${explicit.has(t.name) ? `\n    ${all}\n    quorum: 2` : ''}`,
  );
  const vip = `
systems:
  - name: ${LAB_VIP_SYSTEM}
    layer: network
    kind: keepalived
    ${all}
    quorum: 2
    endpoint:
      probe: { kind: vip, probe: { kind: http, url: "${o.lab.vipUrl}", expect_status: [200] }, identify: { header: X-Lab-Node } }`;
  const alerting = o.hook
    ? `
alerting:
  receivers:
    - name: hook
      webhook: { url: "${o.hook.url}", secret: "${o.hook.secret}", allow_private: true }
  route: { receiver: hook, group_by: [alertname, target, location, system], group_wait: 1s, group_interval: 2s, repeat_interval: 1h }`
    : '';
  return `defaults: { interval: ${o.intervalMs}ms, timeout: ${o.timeoutMs}ms, failure_threshold: 1 }
locations: { partition: { min_targets: 3, share: 0.5 } }
targets:
${targets.join('\n')}${o.vip ? vip : ''}${alerting}
`;
}

export interface LocationsNines {
  api: NinesProcess;
  configPath: string;
  databaseUrl: string;
  startProber(loc: Location): Promise<NinesProcess>;
  logs(): string;
  stop(): Promise<void>;
}

/** The api+worker process first (it migrates), then one prober per location given. */
export async function startLocationsNines(lab: LocationLab, yaml: string, dbName: string, locations: readonly Location[], proberEnv?: Record<string, string>): Promise<LocationsNines> {
  const configPath = writeConfig(yaml);
  const databaseUrl = lab.databaseUrl(dbName);
  const api = await startNinesProcess({ configPath, databaseUrl, redisUrl: lab.redisUrl, roles: 'api,worker' });
  lab.adopt(api.proc.pid);
  const startProber = (loc: Location) => lab.startProber(loc, { configPath, databaseUrl, env: proberEnv });
  try {
    await Promise.all(locations.map(startProber));
  } catch (err) {
    await api.stop('SIGKILL');
    throw err;
  }
  return {
    api,
    configPath,
    databaseUrl,
    startProber,
    logs: () => [`--- api\n${api.logs()}`, ...[...lab.probers].map(([loc, p]) => `--- prober ${loc}\n${p.logs()}`)].join('\n'),
    async stop() {
      await Promise.all([...lab.probers.keys()].map((loc) => lab.killProber(loc).catch(() => undefined)));
      await api.stop();
    },
  };
}

export type Sample = { name: string; labels: Record<string, string>; value: number };

export async function scrape(baseUrl: string): Promise<Sample[]> {
  return parseMetrics((await getText(`${baseUrl}/metrics`)).text);
}

/** The value of the one sample with this name whose labels include `labels`, or undefined. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

export interface Alert {
  labels: Record<string, string>;
  annotations: { summary?: string; reason?: string };
  state: string;
  fired_at?: string | null;
  active_at?: string | null;
  resolved_at?: string | null;
}

export async function alerts(baseUrl: string, alertname?: string): Promise<Alert[]> {
  const r = await getJson<{ alerts: Alert[] }>(`${baseUrl}/api/v1/alerts${alertname ? `?alertname=${alertname}` : ''}`);
  if (r.status !== 200) throw new Error(`GET /api/v1/alerts: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.alerts;
}

export interface LocationsView {
  locations: { name: string; up: boolean; probers: number; last_seen: string | null; partition: null | { unreachable: string[]; message: string } }[];
  split_brain: { system: string; holders: Record<string, string[]>; message: string }[];
}

export async function locationsView(baseUrl: string): Promise<LocationsView> {
  const r = await getJson<LocationsView>(`${baseUrl}/api/v1/locations`);
  if (r.status !== 200) throw new Error(`GET /api/v1/locations: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
