import { z, ZodTypeAny } from 'zod';

/** One line per problem, as `path.to.field: reason` — what check-config prints. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

export function formatIssues(issues: ConfigIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('\n');
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid configuration:\n${formatIssues(issues)}`);
    this.name = 'ConfigError';
  }
}

function unwrap(s: ZodTypeAny): ZodTypeAny {
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s._def.innerType;
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else if (s instanceof z.ZodLazy) s = s._def.getter();
    else return s;
  }
}

/** Walks a schema along an issue path to find the object whose keys were expected. */
export function shapeKeysAt(schema: ZodTypeAny, path: (string | number)[]): string[] | undefined {
  let s = unwrap(schema);
  for (const p of path) {
    if (s instanceof z.ZodObject && typeof p === 'string') s = unwrap(s.shape[p]);
    else if (s instanceof z.ZodArray && typeof p === 'number') s = unwrap(s.element);
    else if (s instanceof z.ZodRecord) s = unwrap(s._def.valueType);
    else return undefined;
    if (!s) return undefined;
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

export function suggest(key: string, known: string[] | undefined): string {
  if (!known?.length) return '';
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dd = distance(key.toLowerCase(), k.toLowerCase());
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  if (best && bestD <= Math.max(2, Math.floor(key.length / 3))) return ` (did you mean "${best}"?)`;
  return ` (known fields: ${known.join(', ')})`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // A string's content is never echoed: a misplaced value may be a secret the scrubber has never seen.
  return typeof v === 'string' ? `a string (${v.length} character${v.length === 1 ? '' : 's'})` : `${typeof v} ${String(v)}`;
}

function expectedName(t: string): string {
  return t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : `a ${t}`;
}

/** Converts zod issues to our one-line form; `base` prefixes paths of nested validations. */
export function fromZod(err: z.ZodError, schema: ZodTypeAny, base: (string | number)[] = [], input?: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of err.issues) {
    const path = [...base, ...issue.path];
    switch (issue.code) {
      case z.ZodIssueCode.unrecognized_keys: {
        const known = shapeKeysAt(schema, issue.path);
        for (const k of issue.keys) out.push({ path: formatPath([...path, k]), message: `unknown field${suggest(k, known)}` });
        break;
      }
      case z.ZodIssueCode.invalid_type: {
        const actual = valueAt(input, issue.path);
        out.push({
          path: formatPath(path),
          message: issue.received === 'undefined' ? 'is required' : `must be ${expectedName(issue.expected)}, got ${typeName(actual)}`,
        });
        break;
      }
      case z.ZodIssueCode.invalid_enum_value:
        out.push({ path: formatPath(path), message: `must be one of ${issue.options.join(', ')} (got ${JSON.stringify(issue.received)})` });
        break;
      case z.ZodIssueCode.too_small:
        out.push({
          path: formatPath(path),
          message:
            issue.type === 'array'
              ? issue.message.startsWith('needs') ? issue.message : `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
              : issue.type === 'string'
                ? issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`
                : issue.message.startsWith('must') ? issue.message : `must be at least ${issue.minimum}`,
        });
        break;
      case z.ZodIssueCode.too_big:
        out.push({ path: formatPath(path), message: issue.type === 'string' ? `must be at most ${issue.maximum} characters` : issue.message.startsWith('must') ? issue.message : `must be at most ${issue.maximum}` });
        break;
      case z.ZodIssueCode.invalid_string:
        out.push({ path: formatPath(path), message: issue.message.startsWith('Invalid') ? `is not a valid ${String(issue.validation)}` : issue.message });
        break;
      case z.ZodIssueCode.invalid_union:
        out.push({ path: formatPath(path), message: issue.message === 'Invalid input' ? 'has an invalid value' : issue.message });
        break;
      default:
        out.push({ path: formatPath(path), message: issue.message });
    }
  }
  return out;
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}
