import { RE2JS } from 're2js';

/**
 * The one way a regular expression written by a user (silence and route matchers, probe
 * `body_regex`, `expect`, `identify`, exporter conditions) is compiled: with RE2 semantics, as
 * Prometheus and Alertmanager do (Go's regexp), so matching takes time linear in the text
 * whatever the pattern — `(a+)+$` cannot hang the event loop. RE2 has no backreferences and no
 * lookaround; such a pattern is refused with a reason, never compiled by the backtracking engine.
 */

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 4096;
/** Largest compiled program (RE2 instructions): matching costs at most text length × this. */
export const MAX_PROGRAM_SIZE = 10_000;

export type RegexMatch = string[] & { index: number; groups?: Record<string, string> };

export interface UserRegex {
  readonly source: string;
  /** Anchored: the whole text must match; otherwise: a match anywhere in the text. */
  test(text: string): boolean;
  /** The first match with its groups (JavaScript's exec shape), or null. */
  exec(text: string): RegexMatch | null;
}

export class UserRegexError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'UserRegexError';
  }
}

// Matchers are evaluated for every alert on every flush: compile each pattern once.
const CACHE_SIZE = 1024;
const cache = new Map<string, UserRegex>();

/** Compiles a user's pattern (anchored as Alertmanager anchors matchers: `^(?:…)$`); throws UserRegexError. */
export function compileUserRegex(pattern: string, opts: { anchored?: boolean } = {}): UserRegex {
  const key = `${opts.anchored ? 'A' : 'U'}${pattern}`;
  const hit = cache.get(key);
  if (hit) {
    // Re-insert: the Map's order is then least recently used first.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const compiled = compile(pattern, !!opts.anchored);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** Why a pattern is refused (for validation messages naming the field), or undefined when it compiles. */
export function userRegexProblem(pattern: string, opts: { anchored?: boolean } = {}): string | undefined {
  try {
    compileUserRegex(pattern, opts);
    return undefined;
  } catch (err) {
    if (err instanceof UserRegexError) return err.reason;
    throw err;
  }
}

function compile(pattern: string, anchored: boolean): UserRegex {
  if (typeof pattern !== 'string') throw new UserRegexError(String(pattern), 'must be a string');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new UserRegexError(pattern.slice(0, 40) + '…', `is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(anchored ? `^(?:${pattern})$` : pattern);
  } catch (err) {
    // Say it of the pattern as written, not of the anchored form compiled.
    const why = (err as Error).message.replace(/^error parsing regexp: /, '').replace(`^(?:${pattern})$`, pattern);
    // What a JavaScript or PCRE habit most often trips on: say which dialect this is.
    const hint = /escape sequence|Perl syntax|named capture/.test(why) ? ' (RE2 syntax, as in Prometheus and Alertmanager: no backreferences or lookaround)' : '';
    throw new UserRegexError(pattern, why + hint);
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) throw new UserRegexError(pattern, `compiles to ${re.programSize()} instructions; at most ${MAX_PROGRAM_SIZE} are allowed`);
  return {
    source: pattern,
    test: (text) => re.test(text),
    exec: (text) => re.exec(text) as RegexMatch | null,
  };
}
