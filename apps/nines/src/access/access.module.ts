import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { TokenAuthenticator } from '../../../../libs/access/src/authenticator';
import { OidcClient } from '../../../../libs/access/src/oidc.client';
import { RedisRateLimiter } from '../../../../libs/access/src/rate-limit';
import { TokenRepository } from '../../../../libs/access/src/token.repository';
import type { Clock } from '../../../../libs/common/src/clock';
import type { Role } from '../../../../libs/config/src/settings';
import { CLOCK, LOGGER, REDIS } from '../runtime/tokens';
import { AccessGate, RATE_LIMITER, SESSION_AUTHENTICATOR, TOKEN_AUTHENTICATOR } from './access-gate';
import { AccessGuard } from './access.guard';
import { AuditController } from './audit.controller';
import { CookieSessionAuthenticator } from './session.authenticator';
import { SignInController } from './sign-in.controller';
import { SignInService } from './sign-in.service';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

const tokenAuthenticator = {
  provide: TOKEN_AUTHENTICATOR,
  useFactory: (tokens: TokenRepository, clock: Clock, logger: Logger) => new TokenAuthenticator(tokens, clock, 1000, (err) => logger.warn({ err: (err as Error)?.message }, 'could not record token use')),
  inject: [TokenRepository, CLOCK, LOGGER],
};

const rateLimiter = {
  provide: RATE_LIMITER,
  useFactory: (redis: Redis, logger: Logger) => {
    let warned = 0;
    return new RedisRateLimiter(redis, (err) => {
      if (Date.now() - warned < 60_000) return;
      warned = Date.now();
      logger.warn({ err: (err as Error)?.message }, 'rate limiter unavailable (Redis): requests pass unlimited until it is back');
    });
  },
  inject: [REDIS, LOGGER],
};

/**
 * Browser sign-in (api): the OIDC client, sessions for the gate (inert while auth.oidc is absent,
 * so a reload can add or remove it) and the /auth routes.
 */
const signIn = [
  { provide: OidcClient, useFactory: (clock: Clock) => new OidcClient(clock), inject: [CLOCK] },
  CookieSessionAuthenticator,
  { provide: SESSION_AUTHENTICATOR, useExisting: CookieSessionAuthenticator },
  SignInService,
];

/**
 * Who may call what, for every role's HTTP server (the prober's /metrics too): the token
 * authenticator, rate limits in Redis, the gate and its global guard; tokens, audit and sign-in (api).
 */
@Global()
@Module({})
export class AccessModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    const api = roles.has('api');
    return {
      module: AccessModule,
      providers: [tokenAuthenticator, rateLimiter, AccessGate, { provide: APP_GUARD, useClass: AccessGuard }, ...(api ? [TokensService, ...signIn] : [])],
      controllers: api ? [TokensController, AuditController, SignInController] : [],
      exports: [AccessGate, TOKEN_AUTHENTICATOR],
    };
  }
}
