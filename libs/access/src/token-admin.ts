import type { Clock } from '../../common/src/clock';
import { parseDuration } from '../../common/src/duration';
import { DomainError } from '../../common/src/errors';
import type { AuditRepository } from './audit.repository';
import { INGEST_SOURCES, ROLES, type IngestSource, type Role } from './authorize';
import type { Caller } from './caller';
import { tokenView, type TokenRepository, type TokenView } from './token.repository';

export interface TokenRequest {
  name: string;
  role: string;
  source?: string;
  /** A duration such as 90d; absent: the token does not expire. */
  expires?: string;
}

/** Creating, listing and revoking tokens, each change audited: shared by the CLI and the API. */
export class TokenAdmin {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async create(caller: Caller, req: TokenRequest): Promise<{ token: string; view: TokenView }> {
    const role = req.role as Role | 'ingest';
    if (!(ROLES as readonly string[]).includes(role) && role !== 'ingest') {
      throw new DomainError('bad_request', `role must be one of ${[...ROLES, 'ingest'].join(', ')}`, { field: 'role' });
    }
    if (req.source !== undefined && !(INGEST_SOURCES as readonly string[]).includes(req.source)) {
      throw new DomainError('bad_request', `source must be one of ${INGEST_SOURCES.join(', ')}`, { field: 'source' });
    }
    let expiresAt: Date | undefined;
    if (req.expires !== undefined) {
      const ms = parseDuration(req.expires);
      if (!ms || ms <= 0) throw new DomainError('bad_request', 'expires must be a duration such as 90d or 12h', { field: 'expires' });
      expiresAt = new Date(this.clock.now() + ms);
    }
    const { token, row } = await this.tokens.create({ name: req.name, role, source: req.source as IngestSource | undefined, expiresAt, createdBy: caller.actor });
    const view = tokenView(row);
    await this.audit.record(caller, { action: 'token.create', target: row.name, after: view });
    return { token, view };
  }

  async list(includeRevoked = false): Promise<TokenView[]> {
    return (await this.tokens.list({ includeRevoked })).map(tokenView);
  }

  async revoke(caller: Caller, name: string): Promise<TokenView> {
    const { before, after } = await this.tokens.revoke(name, caller.actor);
    await this.audit.record(caller, { action: 'token.revoke', target: name, before: tokenView(before), after: tokenView(after) });
    return tokenView(after);
  }
}
