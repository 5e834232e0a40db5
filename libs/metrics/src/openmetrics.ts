/**
 * Converts Prometheus text exposition to OpenMetrics 1.0 for scrapers that ask for it.
 * Differences that matter here: counter families are named without `_total` (samples keep
 * it), and the body ends with `# EOF`.
 */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export function wantsOpenMetrics(accept: string | undefined): boolean {
  return !!accept && /application\/openmetrics-text/i.test(accept);
}

export function toOpenMetrics(text: string): string {
  const lines = text.split('\n');
  const counters = new Map<string, string>(); // family name as exposed → OpenMetrics family name
  for (const line of lines) {
    const m = /^# TYPE (\S+) counter$/.exec(line);
    if (m) counters.set(m[1], m[1].replace(/_total$/, ''));
  }
  const out: string[] = [];
  for (const line of lines) {
    if (!line) continue;
    const meta = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
    if (meta) {
      const fam = counters.get(meta[2]);
      out.push(fam ? `# ${meta[1]} ${fam}${meta[3]}` : line);
      continue;
    }
    if (line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    const fam = name ? counters.get(name) : undefined;
    // A counter exposed without the suffix gets it on its samples.
    out.push(fam !== undefined && name === fam ? `${fam}_total${line.slice(name!.length)}` : line);
  }
  return `${out.join('\n')}\n# EOF\n`;
}
