import { compileUserRegex, userRegexProblem } from '../../common/src/user-regex';

/** Alertmanager-style label matchers: name="v", name!="v", name=~"re", name!~"re". */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))\s*$/;

export function parseMatcher(text: string): Matcher | string {
  const m = MATCHER.exec(text);
  if (!m) return `is not a matcher (expected e.g. severity="page", team=~"db|web")`;
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4];
  const op = m[2] as MatchOp;
  if (op === '=~' || op === '!~') {
    const problem = userRegexProblem(value, { anchored: true });
    if (problem) return `has an invalid regular expression ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}: ${problem}`;
  }
  return { name: m[1], op, value };
}

/**
 * Alertmanager semantics: a missing label matches as the empty string; regexes are anchored. A
 * stored pattern RE2 cannot compile (a silence saved before regexes were RE2) selects nothing,
 * as Alertmanager leaves a silence whose matchers fail to compile out of its index.
 */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return fullMatch(m.value, v) === true;
    case '!~':
      return fullMatch(m.value, v) === false;
  }
}

function fullMatch(pattern: string, v: string): boolean | undefined {
  try {
    return compileUserRegex(pattern, { anchored: true }).test(v);
  } catch {
    return undefined;
  }
}

export function matchesAll(ms: Matcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => matches(m, labels));
}
