import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { httpSchema } from './http.driver';

describe('http probe schema', () => {
  it('refuses json_expect without json_path, on the json_expect field', () => {
    const r = httpSchema.safeParse({ url: 'http://127.0.0.1:8080/health', json_expect: 'ok' });
    assert.equal(r.success, false);
    assert.deepEqual(
      r.error!.issues.map((i) => ({ path: i.path, message: i.message })),
      [{ path: ['json_expect'], message: 'json_expect needs json_path' }],
    );
  });

  it('accepts json_expect with json_path, and json_path alone', () => {
    assert.equal(httpSchema.safeParse({ url: 'http://h/health', json_path: 'status', json_expect: 'UP' }).success, true);
    assert.equal(httpSchema.safeParse({ url: 'http://h/health', json_path: 'status' }).success, true);
  });

  it('accepts a json_expect of false, 0 or null (they are values, not absence)', () => {
    for (const v of [false, 0, null]) assert.equal(httpSchema.safeParse({ url: 'http://h/', json_path: 'degraded', json_expect: v }).success, true, String(v));
    assert.equal(httpSchema.safeParse({ url: 'http://h/', json_expect: false }).success, false);
  });

  it('refuses an unreadable json_path and a bad body regex', () => {
    const r = httpSchema.safeParse({ url: 'http://h/', json_path: 'a..b', body_regex: '(' });
    assert.equal(r.success, false);
    assert.deepEqual(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort(), [
      'body_regex: is not a valid regular expression: missing closing ): `(`',
      'json_path: is not a valid JSON path (use a.b[0].c or $.a.b)',
    ]);
  });

  it('fills defaults', () => {
    const r = httpSchema.parse({ url: 'https://h/' });
    assert.equal(r.method, 'GET');
    assert.equal(r.follow_redirects, true);
    assert.equal(r.tls_verify, true);
    assert.equal(r.cert_expiry_warn, '14d');
  });
});
