import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../../../libs/access/src/audit.repository';
import { limit, objectBody, rfc3339 } from '../runtime/validate';

export const TokenBody = objectBody({
  name: z.string({ required_error: 'name is required', invalid_type_error: 'name must be a string' }).min(1, 'name is required').max(100, 'name must be at most 100 characters'),
  role: z.string({ required_error: 'role is required', invalid_type_error: 'role must be a string' }),
  source: z.string({ invalid_type_error: 'source must be a string' }).optional(),
  expires: z.string({ invalid_type_error: 'expires must be a duration such as 90d' }).optional(),
});
export type TokenBody = z.infer<typeof TokenBody>;

export const TokenListQuery = z.object({ revoked: z.enum(['true', 'false'], { errorMap: () => ({ message: 'revoked must be true or false' }) }).optional() });
export type TokenListQuery = z.infer<typeof TokenListQuery>;

export const AuditQuery = z.object({
  actor: z.string().max(200, 'actor must be at most 200 characters').optional(),
  action: z
    .string()
    .refine((a) => (AUDIT_ACTIONS as readonly string[]).includes(a) || AUDIT_ACTIONS.some((x) => x.startsWith(a) && a.endsWith('.')), `action must be one of ${AUDIT_ACTIONS.join(', ')} (or a prefix such as silence.)`)
    .optional(),
  since: rfc3339('since').transform((s) => new Date(s)).optional(),
  until: rfc3339('until').transform((s) => new Date(s)).optional(),
  limit: limit.optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
