import { parseMatcher, type Matcher } from '../../config/src/matchers';

// Matching lives beside the Matcher type, so silences can use it without depending on alerting.
export { matches, matchesAll } from '../../config/src/matchers';

/** Config has been validated, so every matcher parses. */
export function compile(texts: string[] | undefined): Matcher[] {
  return (texts ?? []).map((t) => parseMatcher(t) as Matcher);
}
