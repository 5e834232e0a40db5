import type { DataSource } from 'typeorm';
import type { Role } from './authorize';

export interface SessionRow {
  id: number;
  name: string;
  /** The role granted at sign-in (the audit log's record); requests use the current mapping of `claims`. */
  role: Role;
  /** The role claim's values at sign-in. */
  claims: string[];
  csrf: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
}

export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  return_to: string;
}

const COLUMNS = 'id, name, role, claims, csrf, created_at, expires_at, last_seen_at';

/**
 * Browser sessions and pending sign-ins in PostgreSQL, so every replica knows them. Only SHA-256
 * hashes of the cookie values are stored; a session ends by deletion.
 */
export class SessionRepository {
  constructor(private readonly ds: DataSource) {}

  async create(s: { hash: string; name: string; role: Role; claims: string[]; csrf: string; expiresAt: Date; now: Date }): Promise<SessionRow> {
    // Sessions nobody ended (closed browsers) go once expired; a sign-in is rare enough to carry it.
    await this.ds.query(`delete from sessions where expires_at < $1`, [s.now]);
    const [row]: SessionRow[] = await this.ds.query(
      `insert into sessions (hash, name, role, claims, csrf, created_at, expires_at, last_seen_at) values ($1, $2, $3, $4, $5, $6, $7, $6) returning ${COLUMNS}`,
      [s.hash, s.name, s.role, s.claims, s.csrf, s.now, s.expiresAt],
    );
    return row;
  }

  /** The live session of a cookie's hash (undefined when unknown, ended or expired). */
  async live(hash: string, now: Date): Promise<SessionRow | undefined> {
    const [row]: SessionRow[] = await this.ds.query(`select ${COLUMNS} from sessions where hash = $1 and expires_at > $2`, [hash, now]);
    return row;
  }

  /** Ends a session; returns it when it was live (a second logout finds nothing). */
  async end(hash: string): Promise<SessionRow | undefined> {
    // A CTE, so the driver answers rows (a bare DELETE … RETURNING comes back as [rows, count]).
    const [row]: SessionRow[] = await this.ds.query(`with ended as (delete from sessions where hash = $1 returning ${COLUMNS}) select * from ended`, [hash]);
    return row;
  }

  async touch(id: number, at: Date): Promise<void> {
    await this.ds.query(`update sessions set last_seen_at = $2 where id = $1 and last_seen_at < $2`, [id, at]);
  }

  async savePending(hash: string, p: PendingLogin, expiresAt: Date, now: Date): Promise<void> {
    await this.ds.query(`delete from session_logins where expires_at < $1`, [now]);
    await this.ds.query(`insert into session_logins (hash, state, nonce, verifier, return_to, expires_at) values ($1, $2, $3, $4, $5, $6)`, [hash, p.state, p.nonce, p.verifier, p.return_to, expiresAt]);
  }

  /** Takes a pending sign-in once: a replayed callback finds nothing. */
  async takePending(hash: string, now: Date): Promise<PendingLogin | undefined> {
    const [row]: PendingLogin[] = await this.ds.query(
      `with taken as (delete from session_logins where hash = $1 returning state, nonce, verifier, return_to, expires_at) select state, nonce, verifier, return_to from taken where expires_at > $2`,
      [hash, now],
    );
    return row;
  }
}
