import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freshDatabase, redisUrlFor } from '../../test/support/env';
import { type Child, exited, sleep, spawnBounded } from './children';
import type { Profile } from './prometheus-stack';

const ROOT = resolve(__dirname, '../../..');
export const NINES_MAIN = join(ROOT, 'dist/apps/nines/src/main.js');
/** test/support/env.ts reserves Redis database 15 for benchmarks. */
export const REDIS_URL = redisUrlFor('bench');

/**
 * Nines as it runs in production: a real `nines start` process against PostgreSQL and Redis.
 *
 * `tight`: probes every 1s with a 500ms timeout, failure_threshold 1 (the first failed probe
 * is the failure), route group_wait 0s (the notification is written in the alert's own
 * transaction and enqueued at once), group_interval 1s, group_by ['...'] (one group per alert).
 * `defaults`: only what is needed to have a target and a receiver: interval 10s, timeout 3s,
 * route group_wait 1s, group_interval 5m, group_by [] (libs/config/src/schema.ts,
 * libs/alerting/src/route.ts). The receiver is on loopback, so it says allow_private in both.
 */
export function ninesConfig(profile: Profile, targets: { name: string; url: string }[], webhookUrl: string): string {
  const list = targets.map((t) => `  - name: ${t.name}\n    probe: { kind: http, url: "${t.url}" }\n`).join('');
  const receivers = `  receivers:\n    - name: bench\n      webhook: { url: "${webhookUrl}", allow_private: true }\n`;
  if (profile === 'tight')
    return `defaults: { interval: 1s, timeout: 500ms, failure_threshold: 1 }
targets:
${list}alerting:
${receivers}  route: { receiver: bench, group_by: ['...'], group_wait: 0s, group_interval: 1s }
`;
  return `targets:
${list}alerting:
${receivers}  route: { receiver: bench }
`;
}

export interface NinesRun {
  child: Child;
  url: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** A fresh database, then `nines start` with the given roles; resolves once it listens. */
export async function startNines(opts: {
  dir: string;
  dbName: string;
  config: string;
  roles?: string;
  boundSeconds: number;
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<NinesRun> {
  const db = await freshDatabase(opts.dbName);
  const configPath = join(opts.dir, `${opts.dbName}.yaml`);
  writeFileSync(configPath, opts.config);
  const child = spawnBounded('nines', process.execPath, [...(opts.nodeArgs ?? []), NINES_MAIN, 'start'], {
    boundSeconds: opts.boundSeconds,
    cwd: ROOT,
    env: {
      ...process.env,
      NINES_CONFIG: configPath,
      DATABASE_URL: db.url,
      REDIS_URL: REDIS_URL,
      NINES_PORT: '0',
      NINES_HOST: '127.0.0.1',
      NINES_ROLES: opts.roles ?? 'api,prober,worker',
      NINES_LOG_LEVEL: 'info',
      ...opts.env,
    },
  });
  const stop = async () => {
    await child.stop(20_000);
    await db.drop().catch(() => undefined);
  };
  // A cold start on a loaded machine (module load, migrations) can take tens of seconds.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const m = /"url":"(http:\/\/[^"]+)".*"msg":"nines started"/.exec(child.logs());
    if (m) return { child, url: m[1], databaseUrl: db.url, stop };
    if (exited(child) || Date.now() > deadline) {
      const logs = child.logs().slice(-4000);
      await stop();
      throw new Error(`nines did not start (${exited(child) ? `exit ${child.proc.exitCode ?? child.proc.signalCode}` : 'timeout'}):\n${logs}`);
    }
    await sleep(50);
  }
}
