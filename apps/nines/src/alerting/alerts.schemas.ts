import { z } from 'zod';
import { limit, rfc3339 } from '../runtime/validate';

const oneOf = <T extends [string, ...string[]]>(field: string, values: T) => z.enum(values, { errorMap: () => ({ message: `${field} must be one of ${values.join(', ')}` }) });
const time = (field: string) => rfc3339(field).transform((s) => new Date(s));

export const AlertsQuery = z.object({
  state: oneOf('state', ['inactive', 'pending', 'firing', 'resolved']).optional(),
  alertname: z.string().optional(),
  system: z.string().optional(),
  incident: z.string().regex(/^[1-9][0-9]{0,17}$/, 'incident must be an incident id').transform(Number).optional(),
  limit: limit.default('100'),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

export const HistoryQuery = z.object({
  alertname: z.string().optional(),
  system: z.string().optional(),
  fingerprint: z.string().optional(),
  since: time('since').optional(),
  until: time('until').optional(),
  limit: limit.default('100'),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const NotificationsQuery = z.object({
  state: oneOf('state', ['pending', 'sending', 'sent', 'failed', 'dead']).optional(),
  receiver: z.string().optional(),
  limit: limit.default('100'),
});
export type NotificationsQuery = z.infer<typeof NotificationsQuery>;

/** The ack form posts { by } as JSON or as a form; anything else acknowledges as "link". */
export const AckLinkBody = z.preprocess((v) => (v && typeof v === 'object' ? v : {}), z.object({ by: z.string().max(200, 'by must be at most 200 characters').optional().catch(undefined) }));
export type AckLinkBody = z.infer<typeof AckLinkBody>;
