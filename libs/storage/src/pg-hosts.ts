/**
 * libpq-style multi-host connection strings, which node-postgres does not read:
 * `postgres://user:pw@h1:5432,h2:5433/nines?target_session_attrs=read-write`. Nines connects to
 * whichever listed host is the primary, and finds it again after a promotion.
 */
export interface PgHost {
  host: string;
  port: number;
}

export type SessionAttrs = 'any' | 'read-write' | 'primary';

export interface PgHosts {
  hosts: PgHost[];
  attrs: SessionAttrs;
  /** The URL for one host, with everything else (credentials, database, parameters) kept. */
  urlFor(h: PgHost): string;
  /** The first host's URL: what a single-host client (pg's Client, TypeORM) is handed. */
  first: string;
}

export class PgUrlError extends Error {}

const ATTRS: Record<string, SessionAttrs> = { any: 'any', 'read-write': 'read-write', primary: 'primary' };

export function parsePgHosts(raw: string): PgHosts {
  const m = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/i.exec(raw);
  if (!m) throw new PgUrlError('DATABASE_URL: must be a postgres:// URL');
  const [, scheme, authority, rest] = m;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostList = at >= 0 ? authority.slice(at + 1) : authority;
  const hosts: PgHost[] = [];
  for (const part of hostList.split(',')) {
    if (!part) throw new PgUrlError('DATABASE_URL: an empty host in the host list');
    const hm = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(part);
    if (!hm) throw new PgUrlError(`DATABASE_URL: ${JSON.stringify(part)} is not host or host:port`);
    const port = hm[2] === undefined ? 5432 : Number(hm[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PgUrlError(`DATABASE_URL: port ${hm[2]} of ${hm[1]} is out of range`);
    hosts.push({ host: hm[1], port });
  }
  const query = rest.includes('?') ? rest.slice(rest.indexOf('?') + 1).split('#')[0] : '';
  const params = new URLSearchParams(query);
  const asked = params.get('target_session_attrs');
  let attrs: SessionAttrs = hosts.length > 1 ? 'read-write' : 'any';
  if (asked !== null) {
    const a = ATTRS[asked];
    if (!a) throw new PgUrlError(`DATABASE_URL: target_session_attrs must be any, read-write or primary (got ${JSON.stringify(asked)})`);
    attrs = a;
  }
  // node-postgres passes unknown parameters to the server as settings: take ours out.
  params.delete('target_session_attrs');
  const path = rest.split('?')[0];
  const q = params.toString();
  const urlFor = (h: PgHost) => `${scheme}${userinfo}${h.host}:${h.port}${path}${q ? `?${q}` : ''}`;
  return { hosts, attrs, urlFor, first: urlFor(hosts[0]) };
}
