import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import type { TokenAuthenticator } from '../../../../libs/access/src/authenticator';
import type { Caller } from '../../../../libs/access/src/caller';
import { TokenAdmin, type TokenRequest } from '../../../../libs/access/src/token-admin';
import { TokenRepository } from '../../../../libs/access/src/token.repository';
import type { Clock } from '../../../../libs/common/src/clock';
import { CLOCK } from '../runtime/tokens';
import { TOKEN_AUTHENTICATOR } from './access-gate';
import type { AuditQuery } from './access.schemas';

/** Tokens over the API (admin); this replica forgets cached lookups at once after a change. */
@Injectable()
export class TokensService {
  private readonly admin: TokenAdmin;

  constructor(
    tokens: TokenRepository,
    private readonly audit: AuditRepository,
    @Inject(CLOCK) clock: Clock,
    @Inject(TOKEN_AUTHENTICATOR) private readonly authenticator: TokenAuthenticator,
  ) {
    this.admin = new TokenAdmin(tokens, audit, clock);
  }

  list(includeRevoked: boolean) {
    return this.admin.list(includeRevoked);
  }

  async create(caller: Caller, req: TokenRequest) {
    const { token, view } = await this.admin.create(caller, req);
    this.authenticator.invalidate();
    return { ...view, token, note: 'the token is shown only this once; store it now' };
  }

  async revoke(caller: Caller, name: string) {
    const view = await this.admin.revoke(caller, name);
    this.authenticator.invalidate();
    return view;
  }

  auditLog(q: AuditQuery) {
    return this.audit.query(q);
  }
}
