import { Client, type ClientConfig } from 'pg';
import type { PgHost, PgHosts } from './pg-hosts';

export interface LocatorEvents {
  /** A (new) primary was found, e.g. after a promotion. */
  found?(h: PgHost, previous: PgHost | undefined): void;
  /** No host qualified: each host's reason, in words, never a password. */
  missing?(reasons: string): void;
}

const same = (a?: PgHost, b?: PgHost) => !!a && !!b && a.host === b.host && a.port === b.port;
const hostName = (h: PgHost) => `${h.host}:${h.port}`;
/** Errors after which the connection's server may no longer be the primary. */
const FAILOVER_CODES = new Set(['25006', '57P01', '57P02', '57P03', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

export function isFailoverError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return FAILOVER_CODES.has(e?.code ?? '') || /Connection terminated|server closed the connection/i.test(e?.message ?? '');
}

/**
 * Which of a multi-host DATABASE_URL's servers to connect to: asks each (in parallel, bounded by
 * a timeout) whether it is in recovery, and remembers the answer until a connection to it fails.
 * One search at a time; every new pool connection goes where the last search pointed.
 */
export class PrimaryLocator {
  private known?: PgHost;
  private finding?: Promise<PgHost>;

  constructor(
    private readonly hosts: PgHosts,
    private readonly events: LocatorEvents = {},
    private readonly timeoutMs = 3000,
  ) {}

  async current(): Promise<PgHost> {
    if (this.known) return this.known;
    this.finding ??= this.find().finally(() => (this.finding = undefined));
    return this.finding;
  }

  /** Forget the primary (or only if it is `h`): the next connection searches again. */
  invalidate(h?: PgHost): void {
    if (!h || same(h, this.known)) this.known = undefined;
  }

  private async find(): Promise<PgHost> {
    const checks = await Promise.allSettled(this.hosts.hosts.map((h) => this.check(h)));
    const reasons: string[] = [];
    for (let i = 0; i < checks.length; i++) {
      const h = this.hosts.hosts[i];
      const c = checks[i];
      if (c.status === 'fulfilled' && (this.hosts.attrs === 'any' || c.value === 'primary')) {
        const previous = this.known;
        this.known = h;
        if (!same(previous, h)) this.events.found?.(h, previous);
        return h;
      }
      reasons.push(`${hostName(h)}: ${c.status === 'fulfilled' ? `${c.value} (read-only)` : describe(c.reason)}`);
    }
    const text = reasons.join('; ');
    this.events.missing?.(text);
    throw Object.assign(new Error(`no ${this.hosts.attrs === 'any' ? 'reachable PostgreSQL server' : 'PostgreSQL primary'} among the DATABASE_URL hosts (${text})`), { code: 'ENOPRIMARY' });
  }

  private async check(h: PgHost): Promise<'primary' | 'standby'> {
    try {
      return await this.ask(this.hosts.urlFor(h));
    } catch (err) {
      // Nines' database not created yet (first start): the server's role is the same from `postgres`.
      if ((err as { code?: string }).code !== '3D000') throw err;
      return this.ask(this.hosts.urlFor(h).replace(/^([^?]*\/\/[^/]*)\/[^?]*/, '$1/postgres'));
    }
  }

  private async ask(url: string): Promise<'primary' | 'standby'> {
    const c = new Client({ connectionString: url, connectionTimeoutMillis: this.timeoutMs, query_timeout: this.timeoutMs, application_name: 'nines-locator' });
    c.on('error', () => undefined);
    try {
      await c.connect();
      const { rows } = await c.query(`select pg_is_in_recovery() as recovery, current_setting('transaction_read_only') as ro`);
      return rows[0].recovery || rows[0].ro === 'on' ? 'standby' : 'primary';
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code && /^E[A-Z]+$/.test(e.code)) return e.code;
  // Server messages name users and databases, never passwords; keep the first line.
  return (e?.message ?? String(err)).split('\n')[0].slice(0, 200);
}

type Callback = (...args: unknown[]) => void;

/**
 * A pg Client class for the pool (pg-pool takes `Client` from its options; TypeORM passes
 * `extra` through): each new connection goes to the located primary, and an error that may mean
 * a failover makes the locator search again.
 */
export function locatingClient(locator: PrimaryLocator): typeof Client {
  class LocatingClient extends Client {
    private target?: PgHost;

    constructor(config?: string | ClientConfig) {
      super(config);
      this.on('error', (err) => {
        if (isFailoverError(err)) locator.invalidate(this.target);
      });
    }

    // @ts-expect-error pg's overloads (promise and callback) are kept as they are
    override connect(callback?: Callback): Promise<void> | void {
      const p = locator.current().then((h) => {
        this.target = h;
        const self = this as unknown as { host: string; port: number; connectionParameters: { host: string; port: number } };
        self.host = self.connectionParameters.host = h.host.replace(/^\[|\]$/g, '');
        self.port = self.connectionParameters.port = h.port;
        return super.connect().then(() => undefined, (err: unknown) => {
          locator.invalidate(h);
          throw err;
        });
      });
      if (!callback) return p;
      p.then(
        () => callback(),
        (err) => callback(err),
      );
    }

    // @ts-expect-error every pg query signature passes through unchanged
    override query(...args: unknown[]): unknown {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (err: unknown, ...rest: unknown[]) => {
          if (err && isFailoverError(err)) locator.invalidate(this.target);
          (last as Callback)(err, ...rest);
        };
      }
      const r = (super.query as (...a: unknown[]) => unknown)(...args);
      if (r && typeof (r as Promise<unknown>).catch === 'function' && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).catch((err) => {
          if (isFailoverError(err)) locator.invalidate(this.target);
        });
      }
      return r;
    }
  }
  return LocatingClient as unknown as typeof Client;
}
