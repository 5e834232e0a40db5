import type { Clock } from '../../common/src/clock';
import type { Presented } from './authorize';
import { bearerToken, hashToken, looksLikeToken } from './token';
import type { TokenRepository, TokenRow } from './token.repository';

/**
 * Turns an Authorization header into what authorize() decides on. Lookups are cached for a second
 * (so a revoked token stops working on every replica within a second) and last use is written at
 * most once a minute per token.
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, { row: TokenRow | undefined; at: number }>();
  private usable: { value: boolean; at: number } | undefined;
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly tokens: Pick<TokenRepository, 'byHash' | 'anyUsable' | 'touch'>,
    private readonly clock: Clock,
    private readonly ttlMs = 1000,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async presented(authorization: string | undefined): Promise<Presented> {
    if (authorization === undefined || authorization === '') return { kind: 'none' };
    const token = bearerToken(authorization);
    if (!token || !looksLikeToken(token)) return { kind: 'unknown' };
    const hash = hashToken(token);
    const now = this.clock.now();
    let hit = this.cache.get(hash);
    if (!hit || now - hit.at > this.ttlMs) {
      hit = { row: await this.tokens.byHash(hash), at: now };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, hit);
    }
    const row = hit.row;
    if (!row) return { kind: 'unknown' };
    if (row.revoked_at) return { kind: 'revoked', name: row.name };
    if (row.expires_at && new Date(row.expires_at).getTime() <= now) return { kind: 'expired', name: row.name };
    this.noteUse(row.id, now);
    return { kind: 'valid', principal: row.role === 'ingest' ? { name: row.name, ingest: row.source! } : { name: row.name, role: row.role } };
  }

  /** Whether any token could authenticate now; decides whether a loopback deployment is open. */
  async tokensExist(): Promise<boolean> {
    const now = this.clock.now();
    if (!this.usable || now - this.usable.at > this.ttlMs) this.usable = { value: await this.tokens.anyUsable(new Date(now)), at: now };
    return this.usable.value;
  }

  /** Forget cached lookups now (after a create or revoke on this replica). */
  invalidate(): void {
    this.cache.clear();
    this.usable = undefined;
  }

  private noteUse(id: number, now: number): void {
    const last = this.touched.get(id);
    if (last !== undefined && now - last < 60_000) return;
    this.touched.set(id, now);
    this.tokens.touch(id, new Date(now)).catch(this.onError);
  }
}
