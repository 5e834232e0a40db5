import { Inject, Injectable, mixin, type PipeTransform, type Type } from '@nestjs/common';
import { z, type ZodTypeAny } from 'zod';
import { DomainError } from '../../../../libs/common/src/errors';
import { parseTime } from '../../../../libs/common/src/time';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { RawConfig } from '../../../../libs/config/src/schema';
import { CONFIG } from './tokens';

/**
 * Validates a request body, query or parameter against a zod schema at the boundary. A bad
 * input is a 400 whose message names each field and the reason, and whose details carry the
 * first field (what clients and tests key on) and every issue.
 */
export class Validate<S extends ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly field?: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    const r = this.schema.safeParse(value);
    if (r.success) return r.data;
    const issues = r.error.issues.map((i) => ({ field: fieldPath(this.field, i.path) || 'body', reason: i.message }));
    const message = issues.map((i) => (i.reason.startsWith(`${i.field} `) ? i.reason : `${i.field}: ${i.reason}`)).join('; ');
    throw new DomainError('bad_request', message, { field: issues[0].field, issues });
  }
}

/** `alerts[0].labels`, as config errors name fields. */
export function fieldPath(root: string | undefined, path: (string | number)[]): string {
  let out = root ?? '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** Schemas shared by several endpoints, with the wording the API has always used. */
export const rfc3339 = (field: string) =>
  z.string().refine((s) => parseTime(s) !== undefined, `${field} must be an RFC 3339 time (e.g. 2026-11-22T09:00:00Z)`);
export const limit = z
  .string()
  .regex(/^\d{1,4}$/, 'limit must be between 1 and 1000')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1000, 'limit must be between 1 and 1000');
export const positiveId = (field: string) => z.string().regex(/^\d{1,15}$/, `${field} must be a positive integer`).transform(Number);
export const shortText = (field: string, max = 200) => z.string({ invalid_type_error: `${field} must be a string of at most ${max} characters` }).max(max, `${field} must be a string of at most ${max} characters`);
/** A JSON body that must be an object (or absent). */
export const objectBody = <T extends z.ZodRawShape>(shape: T) => z.preprocess((v) => (v === undefined || v === null ? {} : v), z.object(shape, { invalid_type_error: 'body must be a JSON object' }));

/**
 * Validates against a schema built from the running config's `limits` (label bounds and the
 * like): rebuilt when a reload brings new limits, so they apply to the next request. A pipe
 * class, so Nest injects the config: `@Body(ValidateWithLimits(AlertmanagerBody))`.
 */
export function ValidateWithLimits<S extends ZodTypeAny>(build: (limits: RawConfig['limits']) => S, field?: string): Type<PipeTransform<unknown, z.infer<S>>> {
  @Injectable()
  class ValidateUnderLimits implements PipeTransform<unknown, z.infer<S>> {
    private built?: { limits: RawConfig['limits']; pipe: Validate<S> };

    constructor(@Inject(CONFIG) private readonly config: ConfigHolder) {}

    transform(value: unknown): z.infer<S> {
      const limits = this.config.get().raw.limits;
      if (this.built?.limits !== limits) this.built = { limits, pipe: new Validate(build(limits), field) };
      return this.built.pipe.transform(value);
    }
  }
  return mixin(ValidateUnderLimits);
}
