import { zonedParts, zonedToUtc } from '../../common/src/time-zone';

/**
 * Who is on call: rotations in layers, restricted to hours, with overrides on top. Pure, in
 * the schedule's time zone: a daily or weekly handoff is a wall-clock time ("mon 09:00" stays
 * 09:00 across a DST change), an `every` rotation is a fixed duration.
 *
 * Precedence at an instant: the last override covering it, else the last layer (in the list)
 * with someone on call then (a restricted layer is empty outside its hours and lets the layers
 * before it show through), else nobody.
 */
export type Rotation = 'daily' | 'weekly' | { everyMs: number };

export interface LayerSpec {
  rotation: Rotation;
  /** "09:00" (daily) or "mon 09:00" (weekly); default: the start's time (and weekday). */
  handoff?: string;
  /** Local time in the schedule's zone when participants[0]'s first shift begins: "2026-11-30 09:00". */
  start: string;
  participants: string[];
  /** Hours the layer covers: "mon-fri 08:00-18:00", "22:00-06:00", "sat,sun 00:00-24:00"; several with ";". */
  restrict?: string;
}

export interface OverrideSpec {
  person: string;
  from: number;
  until: number;
}

export interface ScheduleSpec {
  name: string;
  timezone: string;
  layers: LayerSpec[];
  overrides: OverrideSpec[];
}

export interface Shift {
  /** null: nobody is on call. */
  person: string | null;
  from: number;
  until: number;
}

export class ScheduleError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;

interface Local {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
}

export function parseLocalTime(s: string, field = 'start'): Local {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(s.trim());
  if (!m) throw new ScheduleError(field, `must be a local time like "2026-11-30 09:00" (got ${JSON.stringify(s)})`);
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) throw new ScheduleError(field, `is not a valid date and time (got ${JSON.stringify(s)})`);
  return { y, m: mo, d, h, mi };
}

function parseClock(s: string, field: string, allow24 = false): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  const h = m ? Number(m[1]) : NaN;
  const mi = m ? Number(m[2]) : NaN;
  if (!m || mi > 59 || h > 24 || (h === 24 && (mi !== 0 || !allow24))) throw new ScheduleError(field, `must be a time like 09:00 (got ${JSON.stringify(s)})`);
  return h * 60 + mi;
}

function parseDays(s: string, field: string): Set<number> {
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const [a, b] = part.split('-');
    const i = DAYS.indexOf(a?.slice(0, 3).toLowerCase());
    const j = b === undefined ? i : DAYS.indexOf(b.slice(0, 3).toLowerCase());
    if (i < 0 || j < 0) throw new ScheduleError(field, `unknown day in ${JSON.stringify(s)} (use mon, tue, … sun, ranges like mon-fri)`);
    for (let k = i; ; k = (k + 1) % 7) {
      out.add(k);
      if (k === j) break;
    }
  }
  return out;
}

interface Window {
  days: Set<number>;
  start: number; // minutes of the local day
  end: number; // minutes; <= start: runs past midnight
}

export function parseRestriction(s: string, field = 'restrict'): Window[] {
  return s
    .split(';')
    .map((w) => w.trim())
    .filter(Boolean)
    .map((w) => {
      const m = /^(?:([a-z,-]+)\s+)?(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/i.exec(w);
      if (!m) throw new ScheduleError(field, `must look like "mon-fri 08:00-18:00" (got ${JSON.stringify(w)})`);
      const start = parseClock(m[2], field);
      const end = parseClock(m[3], field, true);
      if (start === end) throw new ScheduleError(field, `${w}: the window is empty`);
      return { days: m[1] ? parseDays(m[1], field) : new Set([0, 1, 2, 3, 4, 5, 6]), start, end };
    });
}

/** Day number (days since 1970-01-01) of a local calendar date. */
const dayNumber = (y: number, m: number, d: number) => Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
const fromDayNumber = (n: number) => {
  const t = new Date(n * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};

/** One layer, compiled: its handoffs and restriction windows as functions of time. */
class CompiledLayer {
  readonly startMs: number;
  private readonly handoffMinute: number;
  private readonly handoffDay?: number; // weekly
  private readonly firstDay: number; // day number of the first handoff after start (daily/weekly)
  private readonly windows?: Window[];

  constructor(
    private readonly spec: LayerSpec,
    private readonly tz: string,
    field: string,
  ) {
    if (!spec.participants.length) throw new ScheduleError(`${field}.participants`, 'needs at least one person');
    const start = parseLocalTime(spec.start, `${field}.start`);
    this.startMs = zonedToUtc(start.y, start.m, start.d, start.h, start.mi, tz);
    const startDay = dayNumber(start.y, start.m, start.d);
    const startWeekday = (startDay + 4) % 7; // 1970-01-01 was a Thursday
    let handoffMinute = start.h * 60 + start.mi;
    let handoffDay = startWeekday;
    if (spec.handoff !== undefined) {
      const m = /^(?:([a-z]+)\s+)?(\d{1,2}:\d{2})$/i.exec(spec.handoff.trim());
      if (!m) throw new ScheduleError(`${field}.handoff`, `must be "09:00" or "mon 09:00" (got ${JSON.stringify(spec.handoff)})`);
      handoffMinute = parseClock(m[2], `${field}.handoff`);
      if (m[1]) {
        if (spec.rotation !== 'weekly') throw new ScheduleError(`${field}.handoff`, 'a weekday in the handoff needs rotation: weekly');
        handoffDay = DAYS.indexOf(m[1].slice(0, 3).toLowerCase());
        if (handoffDay < 0) throw new ScheduleError(`${field}.handoff`, `unknown day ${JSON.stringify(m[1])}`);
      }
    }
    if (typeof spec.rotation === 'object' && !(spec.rotation.everyMs > 0)) throw new ScheduleError(`${field}.rotation`, 'every must be a positive duration');
    this.handoffMinute = handoffMinute;
    const startMinute = start.h * 60 + start.mi;
    if (spec.rotation === 'daily') {
      this.firstDay = startDay + (startMinute < handoffMinute ? 0 : 1);
    } else if (spec.rotation === 'weekly') {
      this.handoffDay = handoffDay;
      let ahead = (handoffDay - startWeekday + 7) % 7;
      if (ahead === 0 && startMinute >= handoffMinute) ahead = 7;
      this.firstDay = startDay + ahead;
    } else {
      this.firstDay = startDay;
    }
    this.windows = spec.restrict ? parseRestriction(spec.restrict, `${field}.restrict`) : undefined;
  }

  private handoffAt(day: number): number {
    const { y, m, d } = fromDayNumber(day);
    return zonedToUtc(y, m, d, Math.floor(this.handoffMinute / 60), this.handoffMinute % 60, this.tz);
  }

  /** The k-th handoff after the start (k >= 1); the 0th is the start itself. */
  private handoff(k: number): number {
    if (k <= 0) return this.startMs;
    const r = this.spec.rotation;
    if (typeof r === 'object') return this.startMs + k * r.everyMs;
    return this.handoffAt(this.firstDay + (k - 1) * (r === 'daily' ? 1 : 7));
  }

  /** Which shift (0 = the first) an instant falls in; -1 before the start. */
  private index(t: number): number {
    if (t < this.startMs) return -1;
    const r = this.spec.rotation;
    if (typeof r === 'object') return Math.floor((t - this.startMs) / r.everyMs);
    const step = r === 'daily' ? 1 : 7;
    const p = zonedParts(t, this.tz);
    const today = dayNumber(p.year, p.month, p.day);
    // Candidate: the handoffs on or before today's local date, then correct by comparing instants.
    let k = Math.floor((today - this.firstDay) / step) + 1;
    if (k < 0) k = 0;
    while (k > 0 && this.handoff(k) > t) k--;
    while (this.handoff(k + 1) <= t) k++;
    return k;
  }

  private allowed(t: number): boolean {
    if (!this.windows) return true;
    const p = zonedParts(t, this.tz);
    const minute = p.hour * 60 + p.minute;
    const yesterday = (p.weekday + 6) % 7;
    return this.windows.some((w) =>
      w.end > w.start ? w.days.has(p.weekday) && minute >= w.start && minute < w.end : (w.days.has(p.weekday) && minute >= w.start) || (w.days.has(yesterday) && minute < w.end),
    );
  }

  personAt(t: number): string | null {
    const k = this.index(t);
    if (k < 0 || !this.allowed(t)) return null;
    return this.spec.participants[k % this.spec.participants.length];
  }

  /** Every instant in [a, b) where this layer's answer may change. */
  boundaries(a: number, b: number): number[] {
    const out: number[] = [];
    if (this.startMs >= a && this.startMs < b) out.push(this.startMs);
    for (let k = Math.max(1, this.index(a)); ; k++) {
      const h = this.handoff(k);
      if (h >= b) break;
      if (h >= a) out.push(h);
    }
    if (this.windows) {
      const pa = zonedParts(a, this.tz);
      const first = dayNumber(pa.year, pa.month, pa.day) - 1;
      const last = first + Math.ceil((b - a) / DAY_MS) + 2;
      for (let day = first; day <= last; day++) {
        const { y, m, d } = fromDayNumber(day);
        const weekday = (day + 4) % 7;
        for (const w of this.windows) {
          if (!w.days.has(weekday)) continue;
          for (const [minute, plus] of [
            [w.start, 0],
            [w.end, w.end > w.start ? 0 : 1],
          ]) {
            const t = zonedToUtc(y, m, d + plus, Math.floor(minute / 60), minute % 60, this.tz);
            if (t >= a && t < b) out.push(t);
          }
        }
      }
    }
    return out;
  }
}

/** A schedule ready to answer questions; build once per config. */
export class Schedule {
  private readonly layers: CompiledLayer[];

  constructor(readonly spec: ScheduleSpec) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: spec.timezone });
    } catch {
      throw new ScheduleError('timezone', `unknown time zone ${JSON.stringify(spec.timezone)}`);
    }
    this.layers = spec.layers.map((l, i) => new CompiledLayer(l, spec.timezone, `layers[${i}]`));
    spec.overrides.forEach((o, i) => {
      if (!(o.until > o.from)) throw new ScheduleError(`overrides[${i}]`, 'until must be after from');
    });
  }

  personAt(t: number): string | null {
    for (let i = this.spec.overrides.length - 1; i >= 0; i--) {
      const o = this.spec.overrides[i];
      if (t >= o.from && t < o.until) return o.person;
    }
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const p = this.layers[i].personAt(t);
      if (p !== null) return p;
    }
    return null;
  }

  /** The final rota over [a, b): contiguous shifts, adjacent ones of the same person merged. */
  shifts(a: number, b: number): Shift[] {
    const points = new Set<number>([a]);
    for (const l of this.layers) for (const t of l.boundaries(a, b)) points.add(t);
    for (const o of this.spec.overrides) for (const t of [o.from, o.until]) if (t > a && t < b) points.add(t);
    const sorted = [...points].sort((x, y) => x - y);
    const out: Shift[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const from = sorted[i];
      const until = sorted[i + 1] ?? b;
      const person = this.personAt(from);
      const prev = out[out.length - 1];
      if (prev && prev.person === person) prev.until = until;
      else out.push({ person, from, until });
    }
    return out;
  }

  /**
   * Who is on call at `t` and who comes next (the next shift with a different answer). Shift
   * edges are looked for up to `horizonMs` either side, so a one-person rota shows that horizon.
   */
  onCall(t: number, horizonMs = 90 * DAY_MS): { now: Shift; next?: Shift } {
    const all = this.shifts(t - horizonMs, t + horizonMs);
    const i = all.findIndex((s) => t >= s.from && t < s.until);
    return { now: all[i], next: all[i + 1] };
  }
}
