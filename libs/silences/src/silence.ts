import { DomainError } from '../../common/src/errors';
import { parseTime } from '../../common/src/time';
import { matchesAll, parseMatcher, type Matcher } from '../../config/src/matchers';

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

/**
 * Checks a silence request and says every problem at once (a field and a reason each). Starts now
 * when `starts_at` is left out; refuses matchers that would silence every alert.
 */
export function validateSilence(body: unknown, now: number): NewSilence {
  const b = (body ?? {}) as Record<string, unknown>;
  const issues: { field: string; reason: string }[] = [];
  const matchers: Matcher[] = [];
  if (!Array.isArray(b.matchers) || !b.matchers.length) issues.push({ field: 'matchers', reason: 'needs at least one matcher like system="orders-db"' });
  else
    b.matchers.forEach((t, i) => {
      const m = typeof t === 'string' ? parseMatcher(t) : 'must be a string';
      if (typeof m === 'string') issues.push({ field: `matchers[${i}]`, reason: m });
      else matchers.push(m);
    });
  const startsAt = b.starts_at === undefined ? now : parseTime(String(b.starts_at));
  const endsAt = b.ends_at === undefined ? undefined : parseTime(String(b.ends_at));
  if (startsAt === undefined) issues.push({ field: 'starts_at', reason: 'must be an RFC 3339 time' });
  if (endsAt === undefined) issues.push({ field: 'ends_at', reason: 'is required, an RFC 3339 time' });
  // An unreadable starts_at compares as NaN did before: never "before" anything, so ends_at is not blamed too.
  else if (startsAt !== undefined && endsAt <= startsAt) issues.push({ field: 'ends_at', reason: 'must be after starts_at' });
  if (typeof b.created_by !== 'string' || !b.created_by.trim()) issues.push({ field: 'created_by', reason: 'is required' });
  if (typeof b.comment !== 'string' || !b.comment.trim()) issues.push({ field: 'comment', reason: 'is required: say why' });
  if (issues.length) throw new DomainError('bad_request', issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues);
  if (matchers.every((m) => (m.op === '=~' && /^\.\*?$/.test(m.value)) || (m.op === '!=' && m.value === '')))
    throw new DomainError('bad_request', 'matchers would silence every alert', { field: 'matchers' });
  return { matchers, startsAt: startsAt!, endsAt: endsAt!, createdBy: (b.created_by as string).slice(0, 200), comment: (b.comment as string).slice(0, 2000) };
}

/** A silence id as the API takes it (a uuid); anything else is refused before touching the table. */
export function isSilenceId(id: string): boolean {
  return /^[0-9a-f-]{36}$/i.test(id);
}

/** Whether any of these silences mutes an alert with these labels (Alertmanager matching). */
export function isSilenced(silences: Pick<Silence, 'matchers'>[], labels: Record<string, string>): boolean {
  return silences.some((s) => matchesAll(s.matchers, labels));
}

/** A matcher as the API shows it: name, operator and the quoted value. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}"${m.value}"`;
}
