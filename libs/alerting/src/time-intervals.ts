/** Mute time intervals (maintenance windows), Alertmanager's shape: times, weekdays, a range, a zone. */
export interface TimeIntervalSpec {
  times?: string[];
  weekdays?: string[];
  start?: string;
  end?: string;
  location?: string;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function localParts(now: number, tz: string): { day: number; minutes: number } {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const parts = Object.fromEntries(f.formatToParts(new Date(now)).map((p) => [p.type, p.value]));
  return { day: DAYS.indexOf(parts.weekday.toLowerCase()), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function inWeekdays(day: number, specs: string[]): boolean {
  return specs.some((s) => {
    const [a, b] = s.split(':').map((d) => DAYS.indexOf(d));
    if (b === undefined) return day === a;
    return a <= b ? day >= a && day <= b : day >= a || day <= b;
  });
}

function inTimes(minutes: number, specs: string[]): boolean {
  return specs.some((s) => {
    const [from, to] = s.split('-').map((t) => {
      const [h, m] = t.split(':').map(Number);
      return h * 60 + m;
    });
    return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
  });
}

export function inInterval(now: number, spec: TimeIntervalSpec): boolean {
  if (spec.start && now < Date.parse(spec.start)) return false;
  if (spec.end && now >= Date.parse(spec.end)) return false;
  const { day, minutes } = localParts(now, spec.location ?? 'UTC');
  if (spec.weekdays?.length && !inWeekdays(day, spec.weekdays)) return false;
  if (spec.times?.length && !inTimes(minutes, spec.times)) return false;
  return true;
}

/** Muted when any interval of any named time interval contains now. */
export function isMuted(now: number, names: string[], intervals: Map<string, TimeIntervalSpec[]>): string | undefined {
  for (const n of names) if ((intervals.get(n) ?? []).some((s) => inInterval(now, s))) return n;
  return undefined;
}
