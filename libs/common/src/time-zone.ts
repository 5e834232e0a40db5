/**
 * Wall-clock arithmetic in IANA time zones with Intl only (no dependency): what local date and
 * time an instant is in a zone, and which instant a local date and time is.
 */
export interface ZonedParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function zonedParts(ms: number, tz: string): ZonedParts {
  const p: Record<string, string> = {};
  for (const x of formatter(tz).formatToParts(new Date(ms))) p[x.type] = x.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS.indexOf(p.weekday),
  };
}

/** Offset of the zone from UTC at an instant, in ms (UTC+9 → +9h). */
export function zoneOffset(ms: number, tz: string): number {
  const p = zonedParts(ms, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the zone's clocks show the given local time. Month and day may overflow
 * (month 13 is January of the next year), as with Date.UTC. A local time skipped by a DST jump
 * maps to the instant just after the jump.
 */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const local = Date.UTC(year, month - 1, day, hour, minute);
  let t = local - zoneOffset(local, tz);
  const o2 = zoneOffset(t, tz);
  if (local - o2 !== t) {
    const t2 = local - o2;
    if (zoneOffset(t2, tz) === o2) t = t2;
  }
  return t;
}

/** Local midnight starting the day that contains `ms`. */
export function startOfLocalDay(ms: number, tz: string): number {
  const p = zonedParts(ms, tz);
  return zonedToUtc(p.year, p.month, p.day, 0, 0, tz);
}

/** Local midnight `n` days after the local day containing `ms`. */
export function addLocalDays(ms: number, n: number, tz: string): number {
  const p = zonedParts(ms, tz);
  return zonedToUtc(p.year, p.month, p.day + n, 0, 0, tz);
}

/** YYYY-MM-DD of the local day containing `ms`. */
export function localDate(ms: number, tz: string): string {
  const p = zonedParts(ms, tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
