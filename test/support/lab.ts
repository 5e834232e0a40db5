import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The test lab (test/lab/lab.sh) from tests: real servers on private ports, started, broken and torn
 * down by the lab's own scripts. lab.sh is the one place the port plan is written down; this file
 * reads it from `lab.sh env`.
 */
export type LabComponent = 'postgres' | 'mariadb' | 'redis-sentinel' | 'redis-cluster' | 'zookeeper' | 'proxy' | 'memcached' | 'keepalived';

function findLabSh(): string {
  // Compiled to dist/test/support, or run from test/support: walk up to the repository.
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const p = join(dir, 'test/lab/lab.sh');
    if (existsSync(p)) return p;
  }
  throw new Error('test/lab/lab.sh not found above ' + __dirname);
}

export const LAB_SH = findLabSh();

/** `lab.sh env`: ports, URLs and addresses as KEY=VALUE. */
export const LAB_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  execFileSync('bash', [LAB_SH, 'env'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

function num(key: string): number {
  const v = Number(LAB_ENV[key]);
  if (!Number.isInteger(v)) throw new Error(`lab.sh env has no port ${key}`);
  return v;
}
const nums = (key: string): number[] => (LAB_ENV[key] ?? '').split(',').map(Number);

export const LAB_PORTS = {
  pg1: num('PG1_PORT'),
  pg2: num('PG2_PORT'),
  mariadb1: num('MARIADB1_PORT'),
  mariadb2: num('MARIADB2_PORT'),
  redis1: num('REDIS1_PORT'),
  redis2: num('REDIS2_PORT'),
  sentinels: [num('SENTINEL1_PORT'), num('SENTINEL2_PORT'), num('SENTINEL3_PORT')],
  cluster: nums('CLUSTER_PORTS'),
  zookeeper: [num('ZK1_PORT'), num('ZK2_PORT'), num('ZK3_PORT')],
  zookeeperAdmin: [num('ZK1_ADMIN_PORT'), num('ZK2_ADMIN_PORT'), num('ZK3_ADMIN_PORT')],
  haproxy: num('HAPROXY_PORT'),
  haproxyStats: num('HAPROXY_STATS_PORT'),
  nginx: num('NGINX_PORT'),
  nginxStatus: num('NGINX_STATUS_PORT'),
  backend1: num('BACKEND1_PORT'),
  backend2: num('BACKEND2_PORT'),
  memcached: num('MEMCACHED_PORT'),
  vip: num('VIP_PORT'),
} as const;

function lab(args: string[], opts: { env?: Record<string, string>; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [LAB_SH, ...args],
      { env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`lab.sh ${args.join(' ')} failed (${err.code ?? err.signal}):\n${stdout}${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** Starts (or heals) components and resolves once each is really ready; no components = the whole lab. */
export function labUp(components: LabComponent[] = [], env?: Record<string, string>): Promise<string> {
  return lab(['up', ...components], { env, timeoutMs: 300_000 });
}

/** Runs a break or restore action (`lab.sh actions`) and returns the epoch ms it says it acted at. */
export async function labBreak(action: string, ...args: string[]): Promise<number> {
  const out = await lab(['break', action, ...args], { timeoutMs: 120_000 });
  const m = /^ts_ms=(\d+) /m.exec(out);
  if (!m) throw new Error(`lab.sh break ${action} printed no ts_ms:\n${out}`);
  return Number(m[1]);
}

/** Kills and removes components; no components = the whole lab and .lab/. */
export async function labDown(components: LabComponent[] = []): Promise<void> {
  await lab(['down', ...components], { timeoutMs: 120_000 });
}
