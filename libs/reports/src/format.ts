import { localParts } from './calendar';

/** Number formatting shared by the HTML and text renderers, so both parts say the same thing. */

/** 0.999523 → "99.952%"; exact 100% stays "100%". Three decimals: the difference between 99.95 and 99.949 matters. */
export function pct(ratio: number | undefined, digits = 3): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '–';
  if (ratio === 1) return '100%';
  const s = (Math.abs(ratio) * 100).toFixed(digits);
  // Never round a miss up to 100%.
  const shown = s === (100).toFixed(digits) && ratio < 1 ? (100 - 10 ** -digits).toFixed(digits) : s;
  return `${ratio < 0 && Number(shown) !== 0 ? '−' : ''}${shown}%`;
}

/** The objective as written in the config: 99.95 → "99.95%". */
export function objectivePct(objective: number): string {
  return `${Number(objective.toFixed(6))}%`;
}

/** Signed percentage points: 0.12 → "+12.0 pp". */
export function pp(delta: number | undefined): string {
  if (delta === undefined || !Number.isFinite(delta)) return '–';
  const v = delta * 100;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)} pp`;
}

/** Availability as nines: 0.9995 → "3.30"; a perfect record → "∞". */
export function nines(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '–';
  if (!Number.isFinite(n)) return '∞';
  return n.toFixed(2);
}

/** 83_000 → "1m 23s"; 3_725_000 → "1h 02m"; 2 days and more → "2d 3h". Sub-second values keep milliseconds. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 0) return `−${duration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function rate(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return `${x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)}×`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Mon 16 Nov" in the report's time zone. */
export function day(t: number, tz: string): string {
  const p = localParts(t, tz);
  return `${DAYS[p.dow]} ${p.d} ${MONTHS[p.m - 1]}`;
}

/** "Mon 16 Nov 14:05" in the report's time zone. */
export function dayTime(t: number, tz: string): string {
  const p = localParts(t, tz);
  return `${day(t, tz)} ${String(p.h).padStart(2, '0')}:${String(p.mi).padStart(2, '0')}`;
}

/** "Tue 17 Nov 03:00–04:00", or with both days when the run crosses midnight. */
export function timeSpan(from: number, to: number, tz: string, sep = '–'): string {
  const a = dayTime(from, tz);
  const b = dayTime(to, tz);
  return a.slice(0, -6) === b.slice(0, -6) ? `${a}${sep}${b.slice(-5)}` : `${a} ${sep.trim()} ${b}`;
}

/** "Mon 16 Nov – Sun 22 Nov 2026" for [start, end). */
export function dayRange(start: number, end: number, tz: string): string {
  const last = end - 1;
  return `${day(start, tz)} – ${day(last, tz)} ${localParts(last, tz).y}`;
}
