import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from '../../../../libs/common/src/errors';
import { fieldPath } from './validate';

/**
 * Refuses a NUL character (U+0000) anywhere in a request's body, query or path parameters, keys
 * included: PostgreSQL cannot store it in text or jsonb, and would fail the write with an error
 * instead of the caller getting a 400 that names the field. Runs before every other pipe.
 */
@Injectable()
export class RejectNul implements PipeTransform {
  transform(value: unknown, meta: ArgumentMetadata): unknown {
    const at = firstNul(value);
    if (at === undefined) return value;
    const field = fieldPath(meta.type === 'body' ? undefined : (meta.data ?? meta.type), at) || meta.type;
    throw new DomainError('bad_request', `${field}: must not contain a NUL character (\\u0000)`, { field });
  }
}

/** The path to the first string (or key) holding a NUL, walked without recursion; undefined when there is none. */
function firstNul(value: unknown): (string | number)[] | undefined {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else if (v !== null && typeof v === 'object') {
      // Pushed last to first, so the first field in the body is reported first.
      const entries = Object.entries(v);
      for (const [k] of entries) if (k.includes('\0')) return path;
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ v: entries[i][1], path: [...path, entries[i][0]] });
    }
  }
  return undefined;
}
