import type { DataSource } from 'typeorm';
import { DomainError } from '../../common/src/errors';
import type { IngestSource, Role } from './authorize';
import { hashToken, newToken } from './token';

export interface TokenRow {
  id: number;
  name: string;
  role: Role | 'ingest';
  source: IngestSource | null;
  created_at: Date;
  created_by: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** What the API and the CLI show of a token: never its hash, never the token itself. */
export interface TokenView {
  name: string;
  role: string;
  source: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

const COLUMNS = 'id, name, role, source, created_at, created_by, expires_at, last_used_at, revoked_at, revoked_by';
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function tokenView(r: TokenRow): TokenView {
  return {
    name: r.name,
    role: r.role,
    source: r.source,
    created_at: iso(r.created_at)!,
    created_by: r.created_by,
    expires_at: iso(r.expires_at),
    last_used_at: iso(r.last_used_at),
    revoked_at: iso(r.revoked_at),
    revoked_by: r.revoked_by,
  };
}

export interface NewToken {
  name: string;
  role: Role | 'ingest';
  source?: IngestSource;
  expiresAt?: Date;
  createdBy: string;
}

export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/** API tokens in PostgreSQL, shared by every replica; only SHA-256 hashes are stored. */
export class TokenRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly mint: () => string = newToken,
  ) {}

  /** Creates a token; the returned secret exists nowhere else, so it is shown once. */
  async create(t: NewToken): Promise<{ token: string; row: TokenRow }> {
    if (!TOKEN_NAME.test(t.name)) throw new DomainError('bad_request', 'name must be 1-100 letters, digits, dots, dashes, underscores or @, starting with a letter or digit', { field: 'name' });
    if ((t.role === 'ingest') !== (t.source !== undefined)) {
      throw new DomainError('bad_request', t.role === 'ingest' ? 'an ingest token needs a source: keepalived, alertmanager, generic or heartbeat' : 'only ingest tokens take a source', { field: 'source' });
    }
    const token = this.mint();
    try {
      const [row]: TokenRow[] = await this.ds.query(
        `insert into api_tokens (name, role, source, hash, created_by, expires_at) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
        [t.name, t.role, t.source ?? null, hashToken(token), t.createdBy, t.expiresAt ?? null],
      );
      return { token, row };
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new DomainError('conflict', `a token named ${t.name} already exists (revoke it first)`, { field: 'name' });
      throw err;
    }
  }

  /** Live and revoked tokens, newest first. */
  async list(opts: { includeRevoked?: boolean } = {}): Promise<TokenRow[]> {
    return this.ds.query(`select ${COLUMNS} from api_tokens ${opts.includeRevoked ? '' : 'where revoked_at is null'} order by created_at desc, id desc`);
  }

  async revoke(name: string, by: string): Promise<{ before: TokenRow; after: TokenRow }> {
    const rows: (TokenRow & { old_revoked_at: null })[] = await this.ds.query(
      `with revoked as (update api_tokens set revoked_at = now(), revoked_by = $2 where name = $1 and revoked_at is null returning ${COLUMNS})
       select * from revoked`,
      [name, by],
    );
    if (!rows.length) throw new DomainError('not_found', `no live token named ${JSON.stringify(name)}`);
    const after = rows[0];
    return { before: { ...after, revoked_at: null, revoked_by: null }, after };
  }

  /** The row for a presented token's hash, live or not (the caller tells expired from revoked). */
  async byHash(hash: string): Promise<TokenRow | undefined> {
    const [row]: TokenRow[] = await this.ds.query(`select ${COLUMNS} from api_tokens where hash = $1`, [hash]);
    return row;
  }

  /** Whether any token could authenticate a request now (live and not expired). */
  async anyUsable(now: Date): Promise<boolean> {
    const [r]: { n: number }[] = await this.ds.query(`select count(*)::int as n from api_tokens where revoked_at is null and (expires_at is null or expires_at > $1)`, [now]);
    return r.n > 0;
  }

  /** Records use; called at most once a minute per token by the authenticator. */
  async touch(id: number, at: Date): Promise<void> {
    await this.ds.query(`update api_tokens set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2)`, [id, at]);
  }
}
