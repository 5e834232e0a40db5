import { formatDuration } from '../../common/src/duration';
import { errorMessage } from '../../common/src/errors';
import { secretScrubber } from '../../common/src/secrets';

/** Maps low-level socket errors to the short reasons an on-call engineer reads at 3 a.m. */
export function reasonFromError(err: unknown, timeoutMs?: number): string {
  const e = err as NodeJS.ErrnoException & { hostname?: string };
  if (e && (e.name === 'AbortError' || e.code === 'ABORT_ERR' || e.code === 'ETIMEDOUT_PROBE')) {
    return timeoutMs ? `timeout after ${formatDuration(timeoutMs)}` : 'timeout';
  }
  // Node reports "socket hang up" with code ECONNRESET even when the peer closed cleanly
  // before answering; that is a different story from a reset mid-exchange.
  if (/socket hang up/i.test(e?.message ?? '')) return 'connection closed before response';
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'EPIPE':
      return 'connection closed by peer';
    case 'ETIMEDOUT':
      return timeoutMs ? `timeout after ${formatDuration(timeoutMs)}` : 'timeout';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ENOTFOUND':
      return `DNS lookup failed: ${e.hostname ?? 'name not found'}`;
    case 'EAI_AGAIN':
      return 'DNS lookup timed out';
    case 'CERT_HAS_EXPIRED':
      return 'TLS certificate expired';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'TLS certificate is self-signed';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'TLS certificate issuer unknown';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'TLS certificate does not match host name';
    case 'CERT_NOT_YET_VALID':
      return 'TLS certificate not yet valid';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'TLS handshake failed (is the port speaking TLS?)';
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return 'malformed HTTP response';
  }
  if (e?.code && /^HPE_/.test(e.code)) return 'malformed HTTP response';
  if (e?.code === 'ECONNABORTED') return 'connection closed before response';
  return secretScrubber.scrub(errorMessage(err)).slice(0, 300);
}

export class ProbeTimeoutError extends Error {
  readonly code = 'ETIMEDOUT_PROBE';
  constructor() {
    super('probe timed out');
    this.name = 'AbortError';
  }
}
