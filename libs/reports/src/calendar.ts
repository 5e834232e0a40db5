/** Calendar maths in an IANA time zone, without a date library: ISO weeks, local midnights, cron. */

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/** Offset (ms) of `tz` from UTC at instant `t`. */
export function tzOffsetMs(t: number, tz: string): number {
  // Building a formatter costs far more than using one, and cronPrevious asks ~10,000 times.
  let f = FORMATTERS.get(tz);
  if (!f) FORMATTERS.set(tz, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })));
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The UTC instant of a local wall-clock time in `tz` (DST gaps resolve forward). */
export function zonedToUtc(y: number, m: number, d: number, h: number, mi: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d, h, mi);
  let t = guess - tzOffsetMs(guess, tz);
  t = guess - tzOffsetMs(t, tz);
  return t;
}

export function localParts(t: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; dow: number } {
  const local = new Date(t + tzOffsetMs(t, tz));
  return { y: local.getUTCFullYear(), m: local.getUTCMonth() + 1, d: local.getUTCDate(), h: local.getUTCHours(), mi: local.getUTCMinutes(), dow: local.getUTCDay() };
}

/** ISO week ("2026-W47") of the local date of `t` in `tz`. */
export function isoWeekOf(t: number, tz: string): string {
  const { y, m, d } = localParts(t, tz);
  const date = new Date(Date.UTC(y, m - 1, d));
  const dayNum = date.getUTCDay() || 7; // Monday = 1 … Sunday = 7
  date.setUTCDate(date.getUTCDate() + 4 - dayNum); // the Thursday of this week decides the year
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** [start, end) of an ISO week in `tz`: local Monday 00:00 to the next Monday 00:00. */
export function weekRange(isoWeek: string, tz: string): { start: number; end: number } {
  const m = /^(\d{4})-W(\d{2})$/.exec(isoWeek);
  if (!m) throw new Error(`not an ISO week: ${isoWeek} (use e.g. 2026-W47)`);
  const year = Number(m[1]);
  const week = Number(m[2]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday1 = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000);
  const monday = new Date(monday1.getTime() + (week - 1) * 7 * 86_400_000);
  if (week < 1 || week > 53 || isoWeekOf(monday.getTime() + 12 * 3_600_000, 'UTC') !== isoWeek) throw new Error(`no such ISO week: ${isoWeek}`);
  const next = new Date(monday.getTime() + 7 * 86_400_000);
  return {
    start: zonedToUtc(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 0, 0, tz),
    end: zonedToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, 0, tz),
  };
}

function fieldMatches(spec: string, v: number, lo: number, hi: number, dow = false): boolean {
  return spec.split(',').some((item) => {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return false;
    const step = m[4] ? Number(m[4]) : 1;
    let a = m[1] === '*' ? lo : Number(m[2]);
    let b = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : m[4] ? hi : a;
    if (dow && v === 0) return [0, 7].some((x) => x >= a && x <= b && (x - a) % step === 0);
    if (a > b) [a, b] = [b, a];
    return v >= a && v <= b && (v - a) % step === 0;
  });
}

/** The latest minute ≤ now (searching back `maxDays`) at which a 5-field cron fires in `tz`. */
export function cronPrevious(expr: string, now: number, tz: string, maxDays = 8): number | undefined {
  const [mi, h, dom, mon, dow] = expr.trim().split(/\s+/);
  let t = Math.floor(now / 60_000) * 60_000;
  for (let i = 0; i < maxDays * 1440; i++, t -= 60_000) {
    const p = localParts(t, tz);
    if (fieldMatches(mi, p.mi, 0, 59) && fieldMatches(h, p.h, 0, 23) && fieldMatches(mon, p.m, 1, 12)) {
      const domAny = dom === '*';
      const dowAny = dow === '*';
      const domOk = fieldMatches(dom, p.d, 1, 31);
      const dowOk = fieldMatches(dow, p.dow, 0, 7, true);
      // Cron's rule: when both day fields are restricted, either may match.
      if ((domAny && dowAny) || (domAny ? dowOk : dowAny ? domOk : domOk || dowOk)) return t;
    }
  }
  return undefined;
}
