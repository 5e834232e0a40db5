/**
 * The one pair of conversions between epoch milliseconds (what the core computes with) and Date
 * (what PostgreSQL reads and writes). A missing value stays missing: null towards SQL, undefined
 * from it, so optional columns need no special case at the call site.
 */
export function toDate(ms: number): Date;
export function toDate(ms: number | null | undefined): Date | null;
export function toDate(ms: number | null | undefined): Date | null {
  return ms === undefined || ms === null ? null : new Date(ms);
}

export function toMs(d: Date | string): number;
export function toMs(d: Date | string | null | undefined): number | undefined;
export function toMs(d: Date | string | null | undefined): number | undefined {
  return d === undefined || d === null || d === '' ? undefined : new Date(d).getTime();
}

/** An RFC 3339 (or any Date-parsable) text as epoch ms; undefined when it is not a time. */
export function parseTime(text: string): number | undefined {
  const t = Date.parse(text);
  // Years 1 to 9999: JavaScript reads ±275760, and PostgreSQL refuses (with an error, not a 400) what it cannot store.
  return Number.isNaN(t) || t < EARLIEST || t > LATEST ? undefined : t;
}
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** Epoch ms as RFC 3339 text (JSON and report rows); a missing value stays null. */
export function toIso(ms: number): string;
export function toIso(ms: number | null | undefined): string | null;
export function toIso(ms: number | null | undefined): string | null {
  return ms === undefined || ms === null ? null : new Date(ms).toISOString();
}

/** Seconds as PostgreSQL's extract(epoch …) gives them (number or numeric text) → whole ms. */
export function secondsToMs(seconds: unknown): number | undefined {
  return seconds === null || seconds === undefined ? undefined : Math.round(Number(seconds) * 1000);
}
