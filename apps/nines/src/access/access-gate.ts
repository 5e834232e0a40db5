import { HttpException, Inject, Injectable, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError } from '../../../../libs/common/src/errors';
import { authorize, isLoopbackHost, type Presented, type Requirement } from '../../../../libs/access/src/authorize';
import { callerOf, type Caller } from '../../../../libs/access/src/caller';
import type { RateLimiterLike } from '../../../../libs/access/src/rate-limit';
import type { TokenAuthenticator } from '../../../../libs/access/src/authenticator';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import { CONFIG, LOGGER, SETTINGS } from '../runtime/tokens';

export const TOKEN_AUTHENTICATOR = Symbol('TOKEN_AUTHENTICATOR');
export const RATE_LIMITER = Symbol('RATE_LIMITER');
/** Optional: resolves a browser session (cookie) when no Authorization header is sent. */
export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');

export interface SessionAuthenticator {
  /** undefined: no session cookie on this request. May throw an HttpException (e.g. CSRF). */
  presented(req: Request): Promise<Presented | undefined>;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An access refusal in the API's error shape (the error filter renders code and message). */
export class AccessRefused extends HttpException {
  constructor(
    status: 401 | 403 | 429,
    readonly code: 'unauthorized' | 'forbidden' | 'too_many_requests',
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ message }, status);
  }
}

/**
 * The one access decision for a request: who is calling (token, session or nobody), whether the
 * route's requirement lets them in, and whether a write or an ingest is within its rate. Used by
 * the Nest guard for every controller route and by the middleware in front of /docs.
 */
@Injectable()
export class AccessGate {
  constructor(
    @Inject(TOKEN_AUTHENTICATOR) private readonly tokens: TokenAuthenticator,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiterLike,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(SESSION_AUTHENTICATOR) private readonly sessions?: SessionAuthenticator,
  ) {}

  /** Resolves and checks the caller; throws AccessRefused; returns the caller for the audit log. */
  async check(req: Request, need: Requirement): Promise<Caller> {
    const address = req.ip ?? req.socket.remoteAddress;
    const auth = this.config.get().raw.auth;
    // An open route acts for nobody (ack links, sign-in, /metrics and the health checks while
    // public): no token or session is looked at, so they answer with the database down, and a
    // browser's session cookie does not put their writes under the session's CSRF rule.
    const open = 'open' in need || ('public' in need && auth.public.includes(need.public));
    let presented: Presented = { kind: 'none' };
    let tokensExist = true;
    if (!open) {
      try {
        if (req.headers.authorization !== undefined) presented = await this.tokens.presented(req.headers.authorization);
        else presented = (this.sessions ? await this.sessions.presented(req) : undefined) ?? { kind: 'none' };
        if (presented.kind === 'none') tokensExist = (await this.tokens.tokensExist()) || !!auth.oidc;
      } catch (err) {
        if (err instanceof HttpException) throw err;
        this.logger.warn({ err: (err as Error)?.message }, 'cannot check the caller: token or session lookup failed');
        throw new DomainError('unavailable', 'cannot check the token or session now: the database is unreachable; retry shortly');
      }
    }
    const decision = authorize(need, presented, { anonymous: auth.anonymous, tokensExist, loopback: isLoopbackHost(this.settings.host), public: auth.public });
    if (!decision.allow) {
      throw new AccessRefused(decision.status, decision.code, decision.message, decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="nines"' } : {});
    }
    const caller = callerOf(decision.as, address);
    if (!SAFE.has(req.method) || 'ingest' in need) await this.limit(req, need, caller);
    return caller;
  }

  private async limit(req: Request, need: Requirement, caller: Caller): Promise<void> {
    const limits = this.config.get().raw.limits;
    const ingest = 'ingest' in need;
    const perMinute = ingest ? limits.ingest_per_minute : limits.writes_per_minute;
    const kind = ingest ? 'ingest' : 'write';
    // Both: a token's own budget, and the address's (several tokens from one place share it).
    const keys = [`${kind}:addr:${caller.address ?? 'unknown'}`];
    if (caller.role !== 'anonymous') keys.push(`${kind}:who:${caller.actor}`);
    for (const key of keys) {
      const d = await this.limiter.take(key, perMinute);
      if (!d.allowed) {
        const retry = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
        throw new AccessRefused(429, 'too_many_requests', `more than ${perMinute} ${ingest ? 'ingest requests' : 'writes'} a minute from ${key.includes(':who:') ? caller.actor : 'this address'}; retry in ${retry} s`, {
          'Retry-After': String(retry),
        });
      }
    }
  }

  /** Express middleware for what Nest's guard does not see (the OpenAPI page under /docs). */
  middleware(need: () => Requirement) {
    return (req: Request, res: Response, next: (err?: unknown) => void) => {
      this.check(req, need()).then(
        () => next(),
        (err) => {
          if (err instanceof AccessRefused) {
            for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
            res.status(err.getStatus()).json({ error: { code: err.code, message: (err.getResponse() as { message: string }).message, details: {} } });
          } else {
            this.logger.error({ err }, 'access check failed');
            res.status(503).json({ error: { code: 'unavailable', message: 'could not check access', details: {} } });
          }
        },
      );
    };
  }
}
