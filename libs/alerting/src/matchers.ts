import { parseMatcher, type Matcher } from '../../config/src/matchers';
import type { Labels } from './alert';

/** Alertmanager semantics: a missing label matches as the empty string; regexes are anchored. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

export function matchesAll(ms: Matcher[], labels: Labels): boolean {
  return ms.every((m) => matches(m, labels));
}

/** Config has been validated, so every matcher parses. */
export function compile(texts: string[] | undefined): Matcher[] {
  return (texts ?? []).map((t) => parseMatcher(t) as Matcher);
}
