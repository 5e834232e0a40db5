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

/** Alertmanager semantics: a missing label matches as the empty string; regexes are anchored. */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return compileUserRegex(m.value, { anchored: true }).test(v);
    case '!~':
      return !compileUserRegex(m.value, { anchored: true }).test(v);
  }
}

export function matchesAll(ms: Matcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => matches(m, labels));
}
