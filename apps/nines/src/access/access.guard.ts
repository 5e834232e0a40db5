import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Requirement } from '../../../../libs/access/src/authorize';
import type { Caller } from '../../../../libs/access/src/caller';
import { LOGGER } from '../runtime/tokens';
import { AccessGate, AccessRefused } from './access-gate';
import { REQUIRES } from './requires';

/** Every controller route: its declared requirement, checked by the access gate. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly gate: AccessGate,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const need = this.reflector.getAllAndOverride<Requirement | undefined>(REQUIRES, [ctx.getHandler(), ctx.getClass()]);
    const req = ctx.switchToHttp().getRequest<Request & { caller?: Caller }>();
    if (!need) {
      // Fail closed: a route nobody declared a role for is nobody's.
      this.logger.error({ route: `${ctx.getClass().name}.${ctx.getHandler().name}` }, 'route declares no access requirement: refused');
      throw new AccessRefused(403, 'forbidden', 'this endpoint declares no access requirement');
    }
    req.caller = await this.gate.check(req, need);
    return true;
  }
}
