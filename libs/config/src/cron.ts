/** Validates a five-field cron expression (minute hour day-of-month month day-of-week). */
const FIELDS: [string, number, number][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

export function cronError(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return `must have 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const [name, lo, hi] = FIELDS[i];
    for (const item of parts[i].split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) return `${name} field ${JSON.stringify(item)} is not valid`;
      for (const n of [m[2], m[3]]) {
        if (n !== undefined && (Number(n) < lo || Number(n) > hi)) return `${name} ${n} is out of range ${lo}-${hi}`;
      }
      if (m[4] !== undefined && Number(m[4]) === 0) return `${name} step must be positive`;
    }
  }
  return undefined;
}
