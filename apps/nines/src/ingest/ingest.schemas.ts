import { z } from 'zod';
import { SEVERITIES } from '../../../../libs/topology/src/ingest-rules';
import { objectBody } from '../runtime/validate';

/** A text field of a pushed event: a string or a number; empty and null are absent. */
const text = (field: string, max = 500) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z
      .union([z.string(), z.number()], { errorMap: () => ({ message: `${field} must be a string` }) })
      .transform(String)
      .pipe(z.string().max(max, `${field} must be at most ${max} characters`)),
  );
const required = (field: string, max = 500) => z.preprocess((v) => (v === '' || v === null ? undefined : v), z.unknown().refine((v) => v !== undefined, `${field} is required`)).pipe(text(field, max));

/** keepalived notify: its own four arguments, plus the reporting host. */
export const KeepalivedBody = objectBody({
  state: required('state').pipe(
    z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(['MASTER', 'BACKUP', 'FAULT', 'STOP'], { errorMap: () => ({ message: 'state must be MASTER, BACKUP, FAULT or STOP' }) })),
  ),
  node: text('node').optional(),
  member: text('member').optional(),
  system: text('system').optional(),
  name: text('name').optional(),
  instance: text('instance').optional(),
  group: text('group').optional(),
  type: text('type').optional(),
  priority: z.unknown().transform((v) => (v === undefined ? undefined : Number(v))),
});
export type KeepalivedBody = z.infer<typeof KeepalivedBody>;

/** Alertmanager webhook v4; each alert is read by the ingest rules. */
export const AlertmanagerBody = objectBody({
  version: z.preprocess((v) => String(v ?? '4'), z.literal('4', { errorMap: () => ({ message: 'only Alertmanager webhook version 4 is supported' }) })),
  alerts: z.array(z.record(z.unknown(), { errorMap: () => ({ message: 'must be an object' }) }), { errorMap: () => ({ message: 'alerts must be a list' }) }),
});
export type AlertmanagerBody = z.infer<typeof AlertmanagerBody>;

/** Anything else: `{ system, member?, message, severity?, bad?, at? }`. */
export const GenericBody = objectBody({
  system: required('system', 100),
  message: required('message', 2000),
  member: text('member').optional(),
  severity: text('severity')
    .optional()
    .refine((s) => s === undefined || s in SEVERITIES, `severity must be one of ${Object.keys(SEVERITIES).join(', ')}`),
  at: z
    .unknown()
    .transform((v) => (v === undefined ? undefined : Date.parse(String(v))))
    .refine((t) => t === undefined || !Number.isNaN(t), 'at must be an RFC 3339 time'),
  bad: z.unknown(),
});
export type GenericBody = z.infer<typeof GenericBody>;
