/** Failure reasons are free text; metrics get a bounded class of them as the `reason` label. */
export function reasonClass(reason: string | undefined): string {
  if (!reason) return 'unknown';
  const r = reason.toLowerCase();
  if (r.startsWith('timeout')) return 'timeout';
  if (r.includes('connection refused')) return 'connection_refused';
  if (r.includes('reset') || r.includes('closed')) return 'connection_closed';
  if (r.includes('unreachable')) return 'unreachable';
  if (r.startsWith('status ')) return 'http_status';
  if (r.includes('tls') || r.includes('certificate')) return 'tls';
  if (r.includes('dns') || r.includes('nxdomain') || r.includes('servfail') || r.includes('records for')) return 'dns';
  if (r.includes('authentication') || r.includes('auth')) return 'auth';
  if (r.includes('body') || r.includes('json') || r.startsWith('expected')) return 'content_mismatch';
  if (r.includes('protocol') || r.includes('malformed') || r.includes('unexpected')) return 'protocol';
  return 'other';
}
