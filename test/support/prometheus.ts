import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { loadYaml } from './grafana';
import { spawnServer, waitForPort, freePort, type Spawned } from './servers/spawned';
import { getJson, waitFor } from './wait';

export interface RunningPrometheus {
  url: string;
  port: number;
  proc: Spawned;
  /** A Prometheus HTTP API call; throws on anything but success. */
  api(path: string, params: Record<string, string>): Promise<any>;
  /** An instant query's result vector. */
  query(expr: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

/**
 * Debian's Prometheus with the example grafana/prometheus.yml pointed at a Nines under test,
 * scraping (and discovering exporters) every `scrape` instead of 15 s.
 */
export async function startPrometheus(dir: string, ninesUrl: string, opts: { scrape?: string; port?: number } = {}): Promise<RunningPrometheus> {
  const scrape = opts.scrape ?? '1s';
  const port = opts.port ?? (await freePort());
  const prom = loadYaml('prometheus.yml');
  const ninesHost = new URL(ninesUrl).host;
  prom.global = { ...prom.global, scrape_interval: scrape, scrape_timeout: scrape, evaluation_interval: scrape };
  for (const job of prom.scrape_configs) {
    for (const s of job.static_configs ?? []) s.targets = s.targets.map((t: string) => t.replace('127.0.0.1:9797', ninesHost));
    for (const h of job.http_sd_configs ?? []) {
      h.url = h.url.replace('127.0.0.1:9797', ninesHost);
      h.refresh_interval = scrape;
    }
  }
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, toYaml(prom));
  const proc = spawnServer('/usr/bin/prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn']);
  const url = `http://127.0.0.1:${port}`;
  const api = async (path: string, params: Record<string, string>) => {
    const r = await getJson(`${url}${path}?${new URLSearchParams(params)}`);
    if (r.status !== 200 || r.body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    return r.body.data;
  };
  try {
    await waitForPort(port, proc, 30_000);
    await waitFor('Prometheus ready', async () => (await fetch(`${url}/-/ready`)).status === 200, 30_000);
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return { url, port, proc, api, query: async (expr, time) => (await api('/api/v1/query', time === undefined ? { query: expr } : { query: expr, time: String(time) })).result };
}
