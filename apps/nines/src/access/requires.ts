import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IngestSource, PublicEndpoint, Requirement, Role } from '../../../../libs/access/src/authorize';
import type { Caller } from '../../../../libs/access/src/caller';

export const REQUIRES = 'nines:requires';

/**
 * Every route declares what it needs; the access guard refuses a route that declares nothing
 * (and the route matrix test fails on it), so a new endpoint cannot be open by accident.
 */
export const Requires = (need: Requirement) => SetMetadata(REQUIRES, need);
export const Open = () => Requires({ open: true });
export const Public = (endpoint: PublicEndpoint) => Requires({ public: endpoint });
export const NeedsRole = (role: Role) => Requires({ role });
export const Ingest = (source: IngestSource) => Requires({ ingest: source });

/** The request's caller as the access guard resolved it: who goes into the audit log. */
export const CallerOf = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const req = ctx.switchToHttp().getRequest<{ caller?: Caller }>();
  return req.caller ?? { actor: 'anonymous', role: 'anonymous' };
});
