import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Presented, Role } from '../../../../libs/access/src/authorize';
import { SessionRepository, type SessionRow } from '../../../../libs/access/src/session.repository';
import { SESSION_COOKIE, csrfRefusal, hashSessionId, looksLikeSessionId, readCookie } from '../../../../libs/access/src/session';
import { externalBase, roleForClaim } from '../../../../libs/access/src/sign-in';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { CLOCK, CONFIG, LOGGER } from '../runtime/tokens';
import { AccessRefused, type SessionAuthenticator } from './access-gate';

export interface LiveSession {
  row: SessionRow;
  /** The role the stored claim values map to under the running config. */
  role: Role;
  hash: string;
}

/** The configured external URL (auth.oidc's, else alerting's) or the request's own. */
export function externalBaseOf(config: ConfigHolder, req: Request): string {
  const raw = config.get().raw;
  return externalBase(raw.auth.oidc?.external_url ?? raw.alerting.external_url, { protocol: req.protocol, host: req.headers.host });
}

/**
 * Browser sessions for the access gate: the `nines_session` cookie, looked up by its hash in
 * PostgreSQL on every request (a logout on one replica ends the session on all at once). Reads
 * the running config each time, so a reload that removes auth.oidc or a role mapping applies to
 * live sessions too. Writes must pass the CSRF check.
 */
@Injectable()
export class CookieSessionAuthenticator implements SessionAuthenticator {
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly sessions: SessionRepository,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async presented(req: Request): Promise<Presented | undefined> {
    const s = await this.checked(req);
    if (s === undefined) return undefined;
    if (s === 'unknown') return { kind: 'unknown', via: 'session' };
    this.noteUse(s.row.id);
    return { kind: 'valid', principal: { name: s.row.name, role: s.role } };
  }

  /** The request's session, with a write refused (AccessRefused 403) unless it passes the CSRF check. */
  async checked(req: Request): Promise<LiveSession | 'unknown' | undefined> {
    const s = await this.current(req);
    if (s === undefined || s === 'unknown') return s;
    const refusal = csrfRefusal({
      method: req.method,
      token: header(req, 'x-csrf-token'),
      origin: header(req, 'origin'),
      expectedToken: s.row.csrf,
      expectedOrigin: externalBaseOf(this.config, req),
    });
    if (refusal) throw new AccessRefused(403, 'forbidden', refusal);
    return s;
  }

  /** The request's session: undefined without a cookie (or without auth.oidc), 'unknown' when it is not live. */
  async current(req: Request): Promise<LiveSession | 'unknown' | undefined> {
    const oidc = this.config.get().raw.auth.oidc;
    if (!oidc) return undefined;
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (id === undefined || id === '') return undefined;
    if (!looksLikeSessionId(id)) return 'unknown';
    const hash = hashSessionId(id);
    const row = await this.sessions.live(hash, new Date(this.clock.now()));
    if (!row) return 'unknown';
    const { role } = roleForClaim(row.claims, oidc.roles);
    if (!role) return 'unknown';
    return { row, role, hash };
  }

  private noteUse(id: number): void {
    const now = this.clock.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < 60_000) return;
    if (this.touched.size > 10_000) this.touched.clear();
    this.touched.set(id, now);
    this.sessions.touch(id, new Date(now)).catch((err) => this.logger.warn({ err: (err as Error)?.message }, 'could not record session use'));
  }
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
