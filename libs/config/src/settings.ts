import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/**
 * Process settings from the environment. This is the only place that reads process.env;
 * everything else receives a Settings object.
 */
export type Role = 'api' | 'prober' | 'worker';
export const ALL_ROLES: Role[] = ['api', 'prober', 'worker'];

export interface Settings {
  configPath: string;
  configPathWasDefault: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  roles: Set<Role>;
  logLevel: string;
  instanceId: string;
  env: NodeJS.ProcessEnv;
}

export class SettingsError extends Error {}

export function readSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  let configPath = env.NINES_CONFIG;
  const wasDefault = !configPath;
  if (!configPath) configPath = existsSync(`${cwd}/nines.yaml`) ? 'nines.yaml' : 'examples/local.yaml';
  const port = Number(env.NINES_PORT ?? 9797);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SettingsError(`NINES_PORT: must be a port number, got ${JSON.stringify(env.NINES_PORT)}`);
  const roles = new Set<Role>();
  for (const r of (env.NINES_ROLES ?? ALL_ROLES.join(',')).split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!ALL_ROLES.includes(r as Role)) throw new SettingsError(`NINES_ROLES: unknown role ${JSON.stringify(r)} (use any of ${ALL_ROLES.join(', ')})`);
    roles.add(r as Role);
  }
  if (!roles.size) throw new SettingsError(`NINES_ROLES: needs at least one of ${ALL_ROLES.join(', ')}`);
  return {
    configPath,
    configPathWasDefault: wasDefault,
    host: env.NINES_HOST ?? '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nines',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    roles,
    logLevel: env.NINES_LOG_LEVEL ?? 'info',
    instanceId: env.NINES_INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    env,
  };
}
