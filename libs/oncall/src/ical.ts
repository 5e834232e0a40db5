import type { Shift } from './schedule';

/**
 * iCalendar (RFC 5545) feeds of on-call shifts: one VEVENT per shift, times in UTC, lines folded
 * at 75 octets and ended with CRLF, text escaped. A shift's UID is stable (schedule, start), so a
 * calendar that polls the feed updates events instead of duplicating them.
 */
export interface CalendarShift extends Shift {
  schedule: string;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (UTF-8), never inside a character. */
export function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length ? 74 : 75)) {
      out.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

export function calendar(opts: { name: string; shifts: CalendarShift[]; now: number; host?: string }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Nines//On-call//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${escapeText(opts.name)}`];
  for (const s of opts.shifts) {
    if (!s.person) continue;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeText(`${s.schedule}-${stamp(s.from)}`)}@${opts.host ?? 'nines'}`,
      `DTSTAMP:${stamp(opts.now)}`,
      `DTSTART:${stamp(s.from)}`,
      `DTEND:${stamp(s.until)}`,
      `SUMMARY:${escapeText(`On call: ${s.person} (${s.schedule})`)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
