import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { secretScrubber } from '../../common/src/secrets';
import { ProbeTimeoutError, reasonFromError } from './reasons';

const sysErr = (code: string, message = code, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });

describe('reasonFromError', () => {
  it('maps socket errors to short reasons', () => {
    const cases: [string, string][] = [
      ['ECONNREFUSED', 'connection refused'],
      ['ECONNRESET', 'connection reset by peer'],
      ['EPIPE', 'connection closed by peer'],
      ['EHOSTUNREACH', 'host unreachable'],
      ['ENETUNREACH', 'network unreachable'],
      ['EAI_AGAIN', 'DNS lookup timed out'],
      ['ECONNABORTED', 'connection closed before response'],
    ];
    for (const [code, reason] of cases) assert.equal(reasonFromError(sysErr(code, `connect ${code} 10.0.0.1:5432`)), reason, code);
  });

  it('names the host a DNS lookup failed for', () => {
    assert.equal(reasonFromError(sysErr('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal', { hostname: 'db.internal' })), 'DNS lookup failed: db.internal');
    assert.equal(reasonFromError(sysErr('ENOTFOUND')), 'DNS lookup failed: name not found');
  });

  it('maps TLS failures', () => {
    const cases: [string, string][] = [
      ['CERT_HAS_EXPIRED', 'TLS certificate expired'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS certificate is self-signed'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS certificate is self-signed'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS certificate issuer unknown'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS certificate does not match host name'],
      ['CERT_NOT_YET_VALID', 'TLS certificate not yet valid'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS handshake failed (is the port speaking TLS?)'],
    ];
    for (const [code, reason] of cases) assert.equal(reasonFromError(sysErr(code)), reason, code);
  });

  it('maps every HTTP parser error to one reason', () => {
    assert.equal(reasonFromError(sysErr('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/')), 'malformed HTTP response');
    assert.equal(reasonFromError(sysErr('HPE_CR_EXPECTED', 'Parse Error')), 'malformed HTTP response');
  });

  it('says the connection closed before the response for "socket hang up"', () => {
    assert.equal(reasonFromError(sysErr('ECONNRESET', 'socket hang up')), 'connection closed before response');
  });

  it('turns aborts and timeouts into "timeout after <the probe timeout>"', () => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    assert.equal(reasonFromError(abort, 3000), 'timeout after 3s');
    assert.equal(reasonFromError(new ProbeTimeoutError(), 1500), 'timeout after 1.5s');
    assert.equal(reasonFromError(sysErr('ETIMEDOUT'), 250), 'timeout after 250ms');
    assert.equal(reasonFromError(sysErr('ABORT_ERR')), 'timeout');
  });

  it('falls back to the message, with secrets and URL passwords removed and length bounded', () => {
    secretScrubber.setSecrets(['s3cr3t-token-value']);
    try {
      const reason = reasonFromError(new Error('upstream said s3cr3t-token-value is bad for postgres://app:hunter2@db:5432/x ' + 'x'.repeat(500)));
      assert.ok(!reason.includes('s3cr3t-token-value'), reason);
      assert.ok(!reason.includes('hunter2'), reason);
      assert.ok(reason.startsWith('upstream said *** is bad for postgres://app:***@db:5432/x'), reason);
      assert.equal(reason.length, 300);
    } finally {
      secretScrubber.setSecrets([]);
    }
  });

  it('copes with things that are not errors', () => {
    assert.equal(reasonFromError('plain string'), 'plain string');
    assert.equal(reasonFromError(undefined), 'undefined');
    assert.equal(reasonFromError(Object.assign(new Error(''), { name: 'WeirdError' })), 'WeirdError');
  });
});
