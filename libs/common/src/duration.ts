const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/**
 * Parses Prometheus-style durations ("500ms", "10s", "1h30m", "30d") into milliseconds.
 * Returns undefined for anything else so callers can report the field by name.
 */
export function parseDuration(input: string): number | undefined {
  const s = input.trim();
  if (!s) return undefined;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(PART)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    consumed += m[0].length;
  }
  return consumed === s.length ? Math.round(total) : undefined;
}

/** Human form used in failure reasons and summaries: 3000 → "3s", 1500 → "1.5s", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(3)}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
