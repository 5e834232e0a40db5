/**
 * What `nines start` prints once it listens: where the API, the metrics and the OpenAPI docs are.
 * Human lines on stderr, beside the JSON log on stdout, so log shippers never see them.
 */
export function whereToLook(url: string, roles: ReadonlySet<string>, uses: { redis?: string } = {}): string[] {
  // A wildcard listener is reachable from this machine at loopback; say so rather than print 0.0.0.0.
  const u = new URL(url);
  const wildcard = u.hostname === '0.0.0.0' || u.hostname === '[::]';
  if (wildcard) u.hostname = u.hostname === '0.0.0.0' ? '127.0.0.1' : '[::1]';
  const base = u.toString().replace(/\/$/, '');
  const lines = [`nines is up on ${url}${wildcard ? ` (all addresses; from this machine ${base})` : ''}, roles ${[...roles].join(',')}`];
  if (roles.has('api')) {
    lines.push(`  API      ${base}/api/v1/systems`);
    lines.push(`  docs     ${base}/docs`);
  }
  lines.push(`  metrics  ${base}/metrics`);
  lines.push(`  health   ${base}/readyz`);
  // Which Redis this process follows (a masked URL, or the Sentinel master and Sentinels).
  if (uses.redis) lines.push(`  redis    ${uses.redis}`);
  return lines;
}
