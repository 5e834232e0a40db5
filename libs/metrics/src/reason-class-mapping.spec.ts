import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reasonClass } from './reason-class';

describe('reasonClass', () => {
  it('maps the reasons drivers produce to a small bounded set of classes', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'unknown'],
      ['', 'unknown'],
      ['timeout after 3s', 'timeout'],
      ['connection refused', 'connection_refused'],
      ['connection reset by peer', 'connection_closed'],
      ['connection closed by peer', 'connection_closed'],
      ['connection closed before response', 'connection_closed'],
      ['host unreachable', 'unreachable'],
      ['network unreachable', 'unreachable'],
      ['status 503', 'http_status'],
      ['TLS certificate expired', 'tls'],
      ['TLS handshake failed (is the port speaking TLS?)', 'tls'],
      ['DNS lookup failed: db.internal', 'dns'],
      ['DNS lookup timed out', 'dns'],
      ['NXDOMAIN: db.internal', 'dns'],
      ['SERVFAIL', 'dns'],
      ['no A records for db.internal', 'dns'],
      ['authentication failed: password authentication failed for user "nines"', 'auth'],
      ['body does not match /ok/', 'content_mismatch'],
      ['body is not valid JSON', 'content_mismatch'],
      ['JSON path status is "DOWN", expected "UP"', 'content_mismatch'],
      ['expected /^\\+PONG/, got "-ERR"', 'content_mismatch'],
      ['malformed HTTP response', 'protocol'],
      ['protocol error: not a Redis reply (starts with "HTTP/1.1 400")', 'protocol'],
      ['unexpected role "sentinel"', 'protocol'],
      ['database is starting up or shutting down', 'other'],
      ['more than 10 redirects', 'other'],
    ];
    for (const [reason, cls] of cases) assert.equal(reasonClass(reason), cls, String(reason));
  });

  it('is case-insensitive', () => {
    assert.equal(reasonClass('Connection Refused'), 'connection_refused');
    assert.equal(reasonClass('TIMEOUT after 1s'), 'timeout');
  });
});
