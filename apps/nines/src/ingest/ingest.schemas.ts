import { z } from 'zod';
import { labelSet, type LabelLimits } from '../../../../libs/config/src/label-set';
import type { RawConfig } from '../../../../libs/config/src/schema';
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
  priority: z.preprocess(
    (v) => (v === '' || v === null ? undefined : typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z.number({ invalid_type_error: 'priority must be a number' }).finite('priority must be a number').optional(),
  ),
});
export type KeepalivedBody = z.infer<typeof KeepalivedBody>;

/** Alerts in one webhook request: Alertmanager batches a group's alerts, and each is one commit. */
export const MAX_ALERTS_PER_REQUEST = 1000;

const optionalString = (max: number) => z.string({ invalid_type_error: 'must be a string' }).max(max, `must be at most ${max} characters`).optional();

/** One alert of Alertmanager webhook v4, the fields the ingest rules read; labels and annotations are bounded label sets. */
const alertmanagerAlert = (limits: LabelLimits) =>
  z.object(
    {
      status: optionalString(20),
      labels: labelSet(limits).optional(),
      annotations: labelSet(limits).optional(),
      startsAt: optionalString(64),
      endsAt: optionalString(64),
      fingerprint: optionalString(128),
    },
    { invalid_type_error: 'must be an object' },
  );

/** Alertmanager webhook v4 under the running `limits`; each alert is read by the ingest rules. */
export const AlertmanagerBody = (limits: RawConfig['limits']) =>
  objectBody({
    version: z.preprocess((v) => (v === undefined || v === null ? '4' : typeof v === 'number' ? String(v) : v), z.literal('4', { errorMap: () => ({ message: 'only Alertmanager webhook version 4 is supported' }) })),
    alerts: z
      .array(alertmanagerAlert(limits.labels), { errorMap: () => ({ message: 'alerts must be a list' }) })
      .max(MAX_ALERTS_PER_REQUEST, `alerts: at most ${MAX_ALERTS_PER_REQUEST} alerts per request`),
  });
export type AlertmanagerBody = z.infer<ReturnType<typeof AlertmanagerBody>>;

/** Anything else: `{ system, member?, message, severity?, bad?, at? }`. */
export const GenericBody = objectBody({
  system: required('system', 100),
  message: required('message', 2000),
  member: text('member').optional(),
  severity: text('severity')
    .optional()
    .refine((s) => s === undefined || Object.hasOwn(SEVERITIES, s), `severity must be one of ${Object.keys(SEVERITIES).join(', ')}`),
  at: z
    .unknown()
    .transform((v) => (v === undefined ? undefined : typeof v === 'string' || typeof v === 'number' ? Date.parse(String(v)) : NaN))
    .refine((t) => t === undefined || !Number.isNaN(t), 'at must be an RFC 3339 time'),
  bad: z.unknown(),
});
export type GenericBody = z.infer<typeof GenericBody>;
