import Redis, { type RedisOptions } from 'ioredis';
import { DependencyError } from '../../../../libs/common/src/errors';
import { describeRedis, formatHostPort, type HostPort, type RedisEndpoint } from '../../../../libs/config/src/settings';

/**
 * A command the server refused because the connection still points at a demoted master
 * (READONLY), or a blocking command it cut off when it turned into a replica (UNBLOCKED …
 * master -> replica): reconnect, which asks the Sentinels for the new master, and resend it.
 * Neither ran, so resending is safe.
 */
export function reconnectOnError(err: Error): false | 2 {
  return /^READONLY\b|^UNBLOCKED\b.*(master -> replica|instance state changed)|role change/i.test(err.message) ? 2 : false;
}

const retry = (n: number) => Math.min(n * 200, 2000);

/** What every connection shares: where Redis is and how to follow it through a failover. */
export function endpointOptions(endpoint: RedisEndpoint): RedisOptions {
  const common: RedisOptions = { reconnectOnError, retryStrategy: retry };
  if (endpoint.kind === 'url') return { ...common, ...(endpoint.password ? { password: endpoint.password } : {}) };
  return {
    ...common,
    sentinels: endpoint.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: endpoint.master,
    role: 'master',
    ...(endpoint.password ? { password: endpoint.password } : {}),
    ...(endpoint.sentinelPassword ? { sentinelPassword: endpoint.sentinelPassword } : {}),
    // While no Sentinel answers, ask again every 2 s at most (ioredis' default backs off to 1 s
    // but reports every round as an error; the connection's own retryStrategy covers the master).
    sentinelRetryStrategy: retry,
    sentinelCommandTimeout: 2000,
    // Not ioredis' failoverDetector (5.11): its disconnect on +switch-master races a reconnect
    // already under way and leaves the connection closed for good ("Connection is closed." from
    // then on: 5 runs in 6 with 12 connections and a SIGKILLed master). Redis drops a demoted
    // master's clients itself, and READONLY/UNBLOCKED above catch one that lingers.
    failoverDetector: false,
  };
}

/**
 * Every Redis connection of the process comes from here: the shared command connection, one per
 * pub/sub subscription and the BullMQ ones (which need maxRetriesPerRequest: null). One place to
 * say how Nines reaches Redis — one URL, or the master a set of Sentinels names — and to close
 * everything on shutdown.
 */
export class RedisConnections {
  private readonly opened = new Set<Redis>();

  constructor(
    readonly endpoint: RedisEndpoint,
    private readonly name: string,
  ) {}

  /** Which Redis, without secrets (logs, messages). */
  describe(): string {
    return describeRedis(this.endpoint);
  }

  /** The shared command connection: connects now, or fails with one line saying how to fix it. */
  async main(): Promise<Redis> {
    let master: HostPort | undefined;
    if (this.endpoint.kind === 'sentinel') master = await askSentinels(this.endpoint);
    const redis = this.open('main', RedisConnections.MAIN);
    // The connect promise only says "Connection is closed"; the error event says why.
    let cause: (Error & { code?: string }) | undefined;
    const remember = (e: Error) => (cause = e);
    redis.on('error', remember);
    try {
      await withTimeout(redis.connect(), 15_000, 'no answer within 15 s');
      await redis.ping();
    } catch (err) {
      this.drop(redis);
      const e = (cause ?? err) as { code?: string; message?: string };
      const ep = this.endpoint;
      if (ep.kind === 'url') {
        if (/NOAUTH|WRONGPASS/.test(e.message ?? '')) throw new DependencyError('redis', `Redis at ${this.describe()} refused the credentials`, ep.password ? 'fix REDIS_PASSWORD' : 'fix the password in REDIS_URL');
        throw new DependencyError('redis', `cannot reach Redis at ${this.describe()} (${e.code ?? e.message})`, 'start Redis or set REDIS_URL to a reachable server');
      }
      const where = `the Redis master "${ep.master}" at ${master ? formatHostPort(master) : '?'} (named by the Sentinels)`;
      if (/NOAUTH|WRONGPASS/.test(e.message ?? '')) throw new DependencyError('redis', `${where} refused the credentials`, ep.password ? 'fix REDIS_PASSWORD' : 'set REDIS_PASSWORD to the password of the Redis servers');
      throw new DependencyError('redis', `cannot reach ${where} (${e.code ?? e.message})`, 'start it, or check the Sentinels with SENTINEL get-master-addr-by-name');
    } finally {
      redis.off('error', remember);
    }
    return redis;
  }

  /** A connection for SUBSCRIBE (a subscribed connection can run nothing else); it re-subscribes after a reconnect. */
  subscriber(purpose: string): Redis {
    return this.open(purpose, RedisConnections.SUBSCRIBER);
  }

  /**
   * A BullMQ connection. A producer does not queue commands while Redis is away (the outbox
   * relay enqueues later); a worker pipelines its many small commands.
   */
  queue(purpose: string, opts: { offlineQueue?: boolean; autoPipelining?: boolean } = {}): Redis {
    return this.open(purpose, RedisConnections.queueOptions(opts));
  }

  static readonly MAIN: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000 };
  static readonly SUBSCRIBER: RedisOptions = { maxRetriesPerRequest: 2 };
  /** BullMQ needs maxRetriesPerRequest: null (its blocking commands must wait out a failover). */
  static queueOptions(opts: { offlineQueue?: boolean; autoPipelining?: boolean }): RedisOptions {
    return { maxRetriesPerRequest: null, enableOfflineQueue: opts.offlineQueue ?? true, enableAutoPipelining: opts.autoPipelining ?? false };
  }

  /** Closes one connection this factory opened. */
  drop(redis: Redis): void {
    this.opened.delete(redis);
    redis.disconnect();
  }

  /** Closes every connection still open (the last step of a shutdown). */
  closeAll(): void {
    for (const r of this.opened) r.disconnect();
    this.opened.clear();
  }

  /** The options a connection for `purpose` gets (exposed for the spec). */
  optionsFor(purpose: string, opts: RedisOptions): RedisOptions {
    return { ...endpointOptions(this.endpoint), connectionName: `${this.name}-${purpose}`, ...opts };
  }

  private open(purpose: string, opts: RedisOptions): Redis {
    const options = this.optionsFor(purpose, opts);
    const redis = this.endpoint.kind === 'url' ? new Redis(this.endpoint.url, options) : new Redis(options);
    redis.on('error', () => undefined); // reconnects are logged by their effects, not per attempt
    this.opened.add(redis);
    return redis;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * Start-up check in Sentinel mode: asks each Sentinel for the master's address, so that "no
 * Sentinel answers", "they do not know that name" and "they refuse the password" are each one
 * clear line (ioredis itself would retry them forever).
 */
export async function askSentinels(ep: Extract<RedisEndpoint, { kind: 'sentinel' }>): Promise<HostPort> {
  const list = ep.sentinels.map(formatHostPort).join(',');
  const answers = await Promise.all(
    ep.sentinels.map(async (s) => {
      const client = new Redis({
        host: s.host,
        port: s.port,
        password: ep.sentinelPassword,
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        enableReadyCheck: false,
        connectTimeout: 3000,
        commandTimeout: 3000,
        connectionName: 'nines-sentinel-check',
      });
      // connect() rejects with "Connection is closed."; the error event says why (ECONNREFUSED, …).
      let cause: Error | undefined;
      client.on('error', (e: Error) => (cause ??= e));
      try {
        await client.connect();
        const r = (await client.call('SENTINEL', 'get-master-addr-by-name', ep.master)) as [string, string] | null;
        return { ok: true as const, master: r ? { host: r[0], port: Number(r[1]) } : null };
      } catch (err) {
        const e = (cause ?? err) as { code?: string; message?: string };
        return { ok: false as const, auth: /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(e.message ?? ''), reason: e.code ?? e.message ?? 'error' };
      } finally {
        client.disconnect();
      }
    }),
  );
  const found = answers.find((a) => a.ok && a.master);
  if (found && found.ok && found.master) return found.master;
  if (answers.some((a) => a.ok)) throw new DependencyError('redis', `the Redis Sentinels at ${list} know no master named "${ep.master}"`, 'set REDIS_SENTINEL_MASTER to the name in their "sentinel monitor <name> …" line');
  const auth = answers.find((a) => !a.ok && a.auth);
  if (auth) throw new DependencyError('redis', `the Redis Sentinels at ${list} refused the credentials`, ep.sentinelPassword ? 'fix REDIS_SENTINEL_PASSWORD' : 'set REDIS_SENTINEL_PASSWORD to the Sentinels\' requirepass');
  const reasons = [...new Set(answers.map((a) => (a.ok ? '' : a.reason)))].join(', ');
  throw new DependencyError('redis', `cannot reach any Redis Sentinel at ${list} (${reasons})`, 'start the Sentinels or fix REDIS_SENTINELS');
}
