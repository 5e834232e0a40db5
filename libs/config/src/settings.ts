import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { maskUrl, secretScrubber, secretsOfUrl } from '../../common/src/secrets';

/**
 * Process settings from the environment. This is the only place that reads process.env;
 * everything else receives a Settings object.
 */
/** A prober's vantage point (NINES_LOCATION), as targets' `locations` name it. */
export const LOCATION_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export type Role = 'api' | 'prober' | 'worker';
export const ALL_ROLES: Role[] = ['api', 'prober', 'worker'];

export interface Settings {
  configPath: string;
  configPathWasDefault: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  /** How Nines reaches its own Redis: one URL, or a master name asked of Sentinels. */
  redis: RedisEndpoint;
  roles: Set<Role>;
  logLevel: string;
  instanceId: string;
  /**
   * This prober's vantage point (NINES_LOCATION): probers that declare one vote per location and
   * a target's state is their quorum verdict. Unset: the classic single vantage point.
   */
  location?: string;
  /** Things worth a line in the start-up log (a variable that has no effect, …). */
  notices: string[];
  env: NodeJS.ProcessEnv;
}

export class SettingsError extends Error {}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Nines' own Redis. With Sentinels, every connection asks them for the current master of
 * `master`, so a failover is followed without a restart; REDIS_URL is not used then.
 */
export type RedisEndpoint =
  | { kind: 'url'; url: string; password?: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; master: string; sentinelPassword?: string; password?: string };

/** Which Redis, for logs and messages: never a password. */
export function describeRedis(r: RedisEndpoint): string {
  if (r.kind === 'url') return maskUrl(r.url);
  return `Sentinel master "${r.master}" via ${r.sentinels.map(formatHostPort).join(',')}`;
}

export function formatHostPort(h: HostPort): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

/** An empty variable counts as unset (compose files often pass `${VAR:-}`). */
function given(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** `host:port,host:port` (IPv6 as `[::1]:26379`); every problem is one line naming the variable. */
export function parseHostPorts(name: string, raw: string): HostPort[] {
  const format = 'use host:port,host:port, e.g. 10.0.0.1:26379,10.0.0.2:26379';
  return raw.split(',').map((part, i) => {
    const entry = part.trim();
    const which = `entry ${i + 1}`;
    if (!entry) throw new SettingsError(`${name}: ${which} is empty (${format})`);
    // Credentials or a URL in the list: say where they go, without echoing them.
    if (/[@/]/.test(entry)) throw new SettingsError(`${name}: ${which} is not host:port (no URL or credentials here: the Sentinels' password goes in REDIS_SENTINEL_PASSWORD)`);
    let host: string;
    let port: string | undefined;
    const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(entry);
    if (bracketed) [, host, port] = bracketed;
    else {
      const colons = entry.split(':').length - 1;
      if (colons > 1) throw new SettingsError(`${name}: ${which} ${JSON.stringify(entry)}: an IPv6 address goes in brackets, e.g. [::1]:26379`);
      [host, port] = entry.split(':');
      if (!/^[A-Za-z0-9._-]+$/.test(host)) throw new SettingsError(`${name}: ${which} ${JSON.stringify(entry)}: not a host name or address (${format})`);
    }
    if (port === undefined) throw new SettingsError(`${name}: ${which} ${JSON.stringify(entry)} has no port (${format})`);
    const n = Number(port);
    if (!/^\d+$/.test(port) || n < 1 || n > 65535) throw new SettingsError(`${name}: ${which} ${JSON.stringify(entry)}: the port must be a number from 1 to 65535`);
    return { host, port: n };
  });
}

function readRedis(env: NodeJS.ProcessEnv): RedisEndpoint {
  const sentinels = given(env, 'REDIS_SENTINELS');
  const master = given(env, 'REDIS_SENTINEL_MASTER');
  const sentinelPassword = given(env, 'REDIS_SENTINEL_PASSWORD');
  const password = given(env, 'REDIS_PASSWORD');
  if (!sentinels) {
    for (const [n, v] of [['REDIS_SENTINEL_MASTER', master], ['REDIS_SENTINEL_PASSWORD', sentinelPassword]] as const) {
      if (v !== undefined) throw new SettingsError(`${n}: set without REDIS_SENTINELS (list the Sentinels there, or unset ${n} to use REDIS_URL)`);
    }
    const url = given(env, 'REDIS_URL') ?? 'redis://127.0.0.1:6379';
    if (password !== undefined && secretsOfUrl(url).length) throw new SettingsError('REDIS_PASSWORD: REDIS_URL carries a password too (give it in one place)');
    return { kind: 'url', url, password };
  }
  const list = parseHostPorts('REDIS_SENTINELS', sentinels);
  if (!master) throw new SettingsError('REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS (the master\'s name, as in the Sentinels\' "sentinel monitor <name> …" line)');
  if (/\s/.test(master.trim())) throw new SettingsError(`REDIS_SENTINEL_MASTER: a master name has no spaces (got ${JSON.stringify(master)})`);
  return { kind: 'sentinel', sentinels: list, master: master.trim(), sentinelPassword, password };
}

/** The environment's own secrets, for the scrubber (config secrets come from the config loader). */
function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const n of ['REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD']) {
    const v = given(env, n);
    if (v) out.push(v);
  }
  for (const n of ['REDIS_URL', 'DATABASE_URL']) {
    const v = given(env, n);
    if (v) out.push(...secretsOfUrl(v));
  }
  return out;
}

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
  // Registered before anything can fail on them: a Redis or Sentinel error may echo what it was given.
  secretScrubber.pin(secretsOf(env));
  const redis = readRedis(env);
  const location = env.NINES_LOCATION?.trim() || undefined;
  if (location !== undefined && !LOCATION_NAME.test(location))
    throw new SettingsError(`NINES_LOCATION: ${JSON.stringify(location)} is not a location name (lower-case letters, digits, "-" or "_", up to 32, starting with a letter or digit)`);
  return {
    configPath,
    configPathWasDefault: wasDefault,
    host: env.NINES_HOST ?? '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nines',
    redis,
    roles,
    logLevel: env.NINES_LOG_LEVEL ?? 'info',
    instanceId: env.NINES_INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    ...(location ? { location } : {}),
    notices: redis.kind === 'sentinel' && given(env, 'REDIS_URL') ? ['REDIS_URL is ignored: REDIS_SENTINELS replaces it for every Redis connection'] : [],
    env,
  };
}
