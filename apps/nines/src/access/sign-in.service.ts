import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import { OidcClient, OidcRejected, OidcUnavailable } from '../../../../libs/access/src/oidc.client';
import type { RateLimiterLike } from '../../../../libs/access/src/rate-limit';
import { SessionRepository } from '../../../../libs/access/src/session.repository';
import { LOGIN_COOKIE, LOGIN_COOKIE_PATH, LOGIN_TTL_MS, SESSION_COOKIE, cookieSecure, hashSessionId, looksLikeSessionId, newCsrfToken, newSessionId, readCookie, setCookie } from '../../../../libs/access/src/session';
import { displayName, roleForClaim, safeReturnTo } from '../../../../libs/access/src/sign-in';
import type { Clock } from '../../../../libs/common/src/clock';
import { parseDuration } from '../../../../libs/common/src/duration';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { CLOCK, CONFIG, LOGGER } from '../runtime/tokens';
import { AccessRefused, RATE_LIMITER } from './access-gate';
import { CookieSessionAuthenticator, externalBaseOf } from './session.authenticator';
import { noRolePage } from './sign-in.pages';

/** What a sign-in route answers; the controller writes it (HTML for browsers, JSON otherwise for errors). */
export type SignInAnswer =
  | { kind: 'redirect'; location: string; cookies: string[] }
  | { kind: 'page'; status: number; html: string; cookies: string[] }
  | { kind: 'empty'; status: 204; cookies: string[] }
  | { kind: 'error'; status: 400 | 403 | 404 | 429 | 503; code: string; message: string; retry: boolean; cookies: string[]; headers?: Record<string, string> };

const fail = (status: 400 | 403 | 404 | 429 | 503, code: string, message: string, cookies: string[] = [], headers: Record<string, string> = {}): SignInAnswer => ({
  kind: 'error',
  status,
  code,
  message,
  retry: status !== 404,
  cookies,
  headers,
});

/**
 * Browser sign-in with OpenID Connect: the authorization code flow with PKCE, state and nonce; a
 * session for a user whose role claim maps to a role; sign-out. Reads auth.oidc at every request,
 * so reloads apply at once. Codes, tokens and session ids are never logged or shown.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly client: OidcClient,
    private readonly sessions: SessionRepository,
    private readonly cookies: CookieSessionAuthenticator,
    private readonly audit: AuditRepository,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiterLike,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async login(req: Request, returnTo: unknown): Promise<SignInAnswer> {
    const oidc = this.config.get().raw.auth.oidc;
    if (!oidc) return fail(404, 'not_found', 'browser sign-in is not configured (auth.oidc)');
    // Each sign-in stores a row: an anonymous address may not start them without bound.
    const d = await this.limiter.take(`login:addr:${req.ip ?? 'unknown'}`, this.config.get().raw.limits.writes_per_minute);
    if (!d.allowed) {
      const retry = String(Math.max(1, Math.ceil(d.retryAfterMs / 1000)));
      return fail(429, 'too_many_requests', `too many sign-ins from this address; retry in ${retry} s`, [], { 'Retry-After': retry });
    }
    const base = externalBaseOf(this.config, req);
    let start;
    try {
      start = await this.client.begin(oidc, `${base}/auth/callback`);
    } catch (err) {
      if (!(err instanceof OidcUnavailable)) throw err;
      if (err.fresh) this.logger.warn({ reason: err.message }, 'sign-in unavailable: the identity provider cannot be discovered');
      return fail(503, 'unavailable', `sign-in is unavailable for now: ${err.message}. Nines retries on the next sign-in; API tokens keep working.`);
    }
    const now = this.clock.now();
    const loginId = newSessionId();
    await this.sessions.savePending(hashSessionId(loginId), { state: start.state, nonce: start.nonce, verifier: start.verifier, return_to: safeReturnTo(returnTo) }, new Date(now + LOGIN_TTL_MS), new Date(now));
    return { kind: 'redirect', location: start.url.href, cookies: [setCookie(LOGIN_COOKIE, loginId, { path: LOGIN_COOKIE_PATH, maxAge: LOGIN_TTL_MS / 1000, secure: cookieSecure(req.secure, base) })] };
  }

  async callback(req: Request): Promise<SignInAnswer> {
    const oidc = this.config.get().raw.auth.oidc;
    if (!oidc) return fail(404, 'not_found', 'browser sign-in is not configured (auth.oidc)');
    const base = externalBaseOf(this.config, req);
    const secure = cookieSecure(req.secure, base);
    const done = [setCookie(LOGIN_COOKIE, '', { path: LOGIN_COOKIE_PATH, maxAge: 0, secure })];
    const now = this.clock.now();
    const loginId = readCookie(req.headers.cookie, LOGIN_COOKIE);
    const pending = looksLikeSessionId(loginId) ? await this.sessions.takePending(hashSessionId(loginId), new Date(now)) : undefined;
    if (!pending) return fail(400, 'bad_request', 'this sign-in has expired or was already used (or was started in another browser): start again', done);
    const callbackUrl = new URL(`${base}/auth/callback`);
    callbackUrl.search = new URL(req.originalUrl, 'http://callback.invalid').search;
    let claims: Record<string, unknown>;
    try {
      claims = await this.client.finish(oidc, callbackUrl, pending, oidc.role_claim);
    } catch (err) {
      if (err instanceof OidcUnavailable) {
        this.logger.warn({ reason: err.message }, 'sign-in failed: the identity provider cannot be reached');
        return fail(503, 'unavailable', err.message, done);
      }
      if (err instanceof OidcRejected) {
        this.logger.info({ reason: err.message, address: req.ip }, 'sign-in refused by the identity provider or its answer failed validation');
        return fail(err.error === 'access_denied' ? 403 : 400, err.error === 'access_denied' ? 'forbidden' : 'bad_request', `sign-in failed: ${err.message}`, done);
      }
      throw err;
    }
    const name = displayName(claims);
    const { role, values } = roleForClaim(claims[oidc.role_claim], oidc.roles);
    if (!role) {
      this.logger.info({ name, claim: oidc.role_claim, values, address: req.ip }, 'sign-in refused: no role for the claim values');
      return { kind: 'page', status: 403, html: noRolePage(name, oidc.role_claim, values), cookies: done };
    }
    const id = newSessionId();
    const ttlMs = parseDuration(oidc.session_ttl) ?? 12 * 3_600_000;
    await this.sessions.create({ hash: hashSessionId(id), name, role, claims: values, csrf: newCsrfToken(), expiresAt: new Date(now + ttlMs), now: new Date(now) });
    await this.audit.record({ actor: name, role, address: req.ip }, { action: 'session.start', target: name, after: { name, role, claims: values } });
    this.logger.info({ name, role, address: req.ip }, 'session started');
    return { kind: 'redirect', location: pending.return_to, cookies: [...done, setCookie(SESSION_COOKIE, id, { path: '/', maxAge: ttlMs / 1000, secure })] };
  }

  /** Ends the request's session (CSRF-checked: a cross-site page cannot sign anyone out). */
  async logout(req: Request): Promise<SignInAnswer> {
    const clear = [setCookie(SESSION_COOKIE, '', { path: '/', maxAge: 0, secure: cookieSecure(req.secure, externalBaseOf(this.config, req)) })];
    const s = await this.cookies.checked(req);
    if (!s || s === 'unknown') return { kind: 'empty', status: 204, cookies: clear };
    const ended = await this.sessions.end(s.hash);
    if (ended) {
      await this.audit.record({ actor: ended.name, role: s.role, address: req.ip }, { action: 'session.end', target: ended.name, before: { name: ended.name, role: ended.role, created_at: new Date(ended.created_at).toISOString() }, after: { reason: 'logout' } });
      this.logger.info({ name: ended.name, address: req.ip }, 'session ended');
    }
    return { kind: 'empty', status: 204, cookies: clear };
  }

  /** Who the browser is signed in as, and the CSRF token its writes must send. */
  async me(req: Request) {
    const s = await this.cookies.current(req);
    if (!s || s === 'unknown') throw new AccessRefused(401, 'unauthorized', s === 'unknown' ? 'the session has ended or expired: sign in again at /auth/login' : 'not signed in: sign in at /auth/login');
    return { name: s.row.name, role: s.role, csrf_token: s.row.csrf, signed_in_at: new Date(s.row.created_at).toISOString(), expires_at: new Date(s.row.expires_at).toISOString() };
  }
}


