/**
 * Failure reasons are free text; metrics get a bounded class of them as the `reason` label.
 * Patterns anchor on the drivers' own phrasing, so a host name or regex inside a reason
 * ("no A records for tls-gw.example.com") cannot pick the class.
 */
const CLASSES: [RegExp, string][] = [
  [/^timeout\b/, 'timeout'],
  [/\bconnection refused\b/, 'connection_refused'],
  [/\bconnection (reset|closed)\b|closed before response|closed by (peer|server)/, 'connection_closed'],
  [/^(host|network) unreachable\b/, 'unreachable'],
  [/^status \d{3}\b/, 'http_status'],
  [/^tls |^tls$|^certificate /, 'tls'],
  [/^(nxdomain|servfail|dns lookup|query refused|malformed dns)|^no [a-z]+ records for /, 'dns'],
  [/^authentication (failed|required)\b/, 'auth'],
  [/^(body does not match|body is not valid json|json path|expected )/, 'content_mismatch'],
  [/^(protocol error|malformed|unexpected|not a )/, 'protocol'],
];

/** Every value the `reason` label can take. */
export const REASON_CLASSES: readonly string[] = [...CLASSES.map(([, c]) => c), 'other', 'unknown'];

export function reasonClass(reason: string | undefined): string {
  if (!reason) return 'unknown';
  const r = reason.toLowerCase();
  for (const [re, cls] of CLASSES) if (re.test(r)) return cls;
  return 'other';
}
