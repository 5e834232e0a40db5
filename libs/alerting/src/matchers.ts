import { parseMatchers, type Matcher } from '../../config/src/matchers';

// Matching lives beside the Matcher type, so silences can use it without depending on alerting.
export { matches, matchesAll } from '../../config/src/matchers';

/** Config has been validated, so every text parses; each may hold several matchers (`a=1,b=2`), as in Alertmanager. */
export function compile(texts: string[] | undefined): Matcher[] {
  return (texts ?? []).flatMap((t) => {
    const r = parseMatchers(t);
    return 'matchers' in r ? r.matchers : [];
  });
}
