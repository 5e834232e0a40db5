import { DomainError } from '../../common/src/errors';
import { parseTime } from '../../common/src/time';
import type { LabelLimits } from '../../config/src/label-set';
import { describeMatcherError, matches, matchesAll, parseMatchers, type Matcher } from '../../config/src/matchers';

/** A silence as stored: it mutes every alert its matchers select, from startsAt until endsAt or until expired. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** What `POST /api/v1/silences` asks for, once validated. */
export interface NewSilence {
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** How large a silence may be: `limits.labels` of the config bound its matchers as they bound label sets. */
export type SilenceLimits = LabelLimits;

const DEFAULT_LIMITS: SilenceLimits = { count: 64, name_length: 128, value_length: 2048 };

/**
 * Checks a silence request and says every problem at once (a field and a reason each). Starts now
 * when `starts_at` is left out. As Alertmanager (silence/silence.go, validateSilence), at least one
 * matcher must not match the empty string, so no silence mutes every alert.
 */
export function validateSilence(body: unknown, now: number, limits: SilenceLimits = DEFAULT_LIMITS): NewSilence {
  const b = (body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const issues: { field: string; reason: string }[] = [];
  const matchers: Matcher[] = [];
  if (!Array.isArray(b.matchers) || !b.matchers.length) issues.push({ field: 'matchers', reason: 'needs at least one matcher like system="orders-db"' });
  else if (b.matchers.length > limits.count) issues.push({ field: 'matchers', reason: `has ${b.matchers.length} matchers; at most ${limits.count} are allowed (limits.labels.count)` });
  else
    b.matchers.forEach((t, i) => {
      // One text may hold several matchers (`{a="1",b="2"}`), as Alertmanager reads it.
      const parsed = typeof t !== 'string' ? 'must be a string' : t.length > limits.count * (limits.name_length + limits.value_length + 8) ? `is ${t.length} characters long; too long for matchers within limits.labels` : parseMatchers(t);
      if (typeof parsed === 'string') return void issues.push({ field: `matchers[${i}]`, reason: parsed });
      if ('error' in parsed) return void issues.push({ field: `matchers[${i}]`, reason: `is not a matcher list: ${describeMatcherError(parsed.error)}` });
      for (const m of parsed.matchers) {
        if (m.name.length > limits.name_length) issues.push({ field: `matchers[${i}]`, reason: `label name is ${m.name.length} characters long; at most ${limits.name_length} are allowed (limits.labels.name_length)` });
        else if (m.value.length > limits.value_length) issues.push({ field: `matchers[${i}]`, reason: `value is ${m.value.length} characters long; at most ${limits.value_length} are allowed (limits.labels.value_length)` });
        else matchers.push(m);
      }
    });
  if (Array.isArray(b.matchers) && b.matchers.length && !issues.length && !matchers.length) issues.push({ field: 'matchers', reason: 'needs at least one matcher like system="orders-db"' });
  else if (matchers.length > limits.count) issues.push({ field: 'matchers', reason: `has ${matchers.length} matchers; at most ${limits.count} are allowed (limits.labels.count)` });
  const time = (v: unknown) => (typeof v === 'string' ? parseTime(v) : undefined);
  const startsAt = b.starts_at === undefined ? now : time(b.starts_at);
  const endsAt = b.ends_at === undefined ? undefined : time(b.ends_at);
  if (startsAt === undefined) issues.push({ field: 'starts_at', reason: 'must be an RFC 3339 time' });
  if (endsAt === undefined) issues.push({ field: 'ends_at', reason: b.ends_at === undefined ? 'is required, an RFC 3339 time' : 'must be an RFC 3339 time' });
  // An unreadable starts_at compares as NaN did before: never "before" anything, so ends_at is not blamed too.
  else if (startsAt !== undefined && endsAt <= startsAt) issues.push({ field: 'ends_at', reason: 'must be after starts_at' });
  if (typeof b.created_by !== 'string' || !b.created_by.trim()) issues.push({ field: 'created_by', reason: 'is required' });
  if (typeof b.comment !== 'string' || !b.comment.trim()) issues.push({ field: 'comment', reason: 'is required: say why' });
  if (issues.length) throw new DomainError('bad_request', issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues);
  if (matchers.every(matchesEmpty)) throw new DomainError('bad_request', 'matchers: at least one matcher must not match the empty string (such a silence would mute every alert)', { field: 'matchers' });
  return { matchers, startsAt: startsAt!, endsAt: endsAt!, createdBy: (b.created_by as string).slice(0, 200), comment: (b.comment as string).slice(0, 2000) };
}

/**
 * Alertmanager's rule for what "matches the empty string": `=` with an empty value, or `=~` whose
 * regex matches "". Negative matchers never count, whatever they match (`foo!~".+"` selects the
 * alerts without foo, not every alert), exactly as Alertmanager's matchesEmpty.
 */
export function matchesEmpty(m: Matcher): boolean {
  if (m.op === '=') return m.value === '';
  if (m.op === '=~') return matches(m, {});
  return false;
}

/** A silence id as the API takes it (a uuid); anything else is refused before touching the table. */
export function isSilenceId(id: string): boolean {
  return /^[0-9a-f-]{36}$/i.test(id);
}

/**
 * Parses matchers as a silence request would and says every problem at once (field and reason),
 * so a preview refuses exactly what saving would.
 */
export function parseSilenceMatchers(texts: unknown, limits: SilenceLimits = DEFAULT_LIMITS): Matcher[] {
  // The whole request's validation with placeholder times, author and comment: only the matchers' problems can remain.
  return validateSilence({ matchers: texts, starts_at: '2000-01-01T00:00:00Z', ends_at: '2000-01-01T01:00:00Z', created_by: 'preview', comment: 'preview' }, 0, limits).matchers;
}

/** The alerts a silence with these matchers would mute: the same test the dispatch applies (isSilenced). */
export function wouldMute<A extends { labels: Record<string, string> }>(matchers: Matcher[], alerts: A[]): A[] {
  return alerts.filter((a) => isSilenced([{ matchers }], a.labels));
}

/** Whether any of these silences mutes an alert with these labels (Alertmanager matching). */
export function isSilenced(silences: Pick<Silence, 'matchers'>[], labels: Record<string, string>): boolean {
  return silences.some((s) => matchesAll(s.matchers, labels));
}

