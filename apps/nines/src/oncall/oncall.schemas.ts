import { z } from 'zod';
import { objectBody, positiveId, rfc3339 } from '../runtime/validate';

export const NowQuery = z.object({ schedule: z.string({ required_error: 'schedule is required' }).min(1, 'schedule is required').max(100) });
export type NowQuery = z.infer<typeof NowQuery>;

export const RotaQuery = z.object({
  days: z
    .string()
    .regex(/^\d{1,3}$/, 'days must be between 1 and 90')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 90, 'days must be between 1 and 90')
    .optional(),
});
export type RotaQuery = z.infer<typeof RotaQuery>;

export const OverrideBody = objectBody({
  person: z.string({ required_error: 'person is required' }).min(1).max(100),
  from: rfc3339('from').transform((s) => Date.parse(s)),
  until: rfc3339('until').transform((s) => Date.parse(s)),
});
export type OverrideBody = z.infer<typeof OverrideBody>;

export const OverrideId = positiveId('id');
