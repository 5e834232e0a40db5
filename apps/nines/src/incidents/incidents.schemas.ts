import { z } from 'zod';
import { limit, objectBody, positiveId, rfc3339, shortText } from '../runtime/validate';

export const IncidentId = positiveId('id');

export const IncidentListQuery = z.object({
  state: z.enum(['open', 'resolved'], { errorMap: () => ({ message: 'state must be open or resolved' }) }).optional(),
  system: z.string().optional(),
  since: rfc3339('since').transform((s) => new Date(s)).optional(),
  until: rfc3339('until').transform((s) => new Date(s)).optional(),
  limit: limit.optional(),
});
export type IncidentListQuery = z.infer<typeof IncidentListQuery>;

export const AckBody = objectBody({ by: shortText('by').nullish() });
export type AckBody = z.infer<typeof AckBody>;

export const NoteBody = objectBody({
  text: z.string({ required_error: 'text is required', invalid_type_error: 'text must be a string of 1 to 4000 characters' }).trim().min(1, 'text is required').max(4000, 'text must be a string of 1 to 4000 characters'),
  by: shortText('by').nullish(),
});
export type NoteBody = z.infer<typeof NoteBody>;

export const ResolveBody = objectBody({ by: shortText('by').nullish() });
export type ResolveBody = z.infer<typeof ResolveBody>;

export const DrillBody = objectBody({
  system: z.string({ required_error: 'system is required', invalid_type_error: 'system must be a string of at most 200 characters' }).min(1, 'system is required').max(200, 'system must be a string of at most 200 characters'),
  action: z.enum(['start', 'stop'], { errorMap: () => ({ message: 'action must be start or stop' }) }),
  by: shortText('by').nullish(),
  note: shortText('note', 1000).nullish(),
});
export type DrillBody = z.infer<typeof DrillBody>;
