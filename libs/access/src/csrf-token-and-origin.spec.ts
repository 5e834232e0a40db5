import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfRefusal, newCsrfToken, originOf, sameSecret } from './session';

const token = newCsrfToken();
const base = { token, origin: undefined, expectedToken: token, expectedOrigin: 'https://nines.example.com' };

test('reads (GET, HEAD, OPTIONS) need no CSRF token', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) assert.equal(csrfRefusal({ ...base, method, token: undefined, origin: 'https://evil.example' }), undefined, method);
});

test('a write with the session token and no Origin, or our own Origin, passes', () => {
  assert.equal(csrfRefusal({ ...base, method: 'POST' }), undefined);
  assert.equal(csrfRefusal({ ...base, method: 'DELETE', origin: 'https://nines.example.com' }), undefined);
  assert.equal(csrfRefusal({ ...base, method: 'POST', origin: 'https://NINES.example.com:443' }), undefined, 'default port and case do not matter');
});

test('a write without the token, or with another, is refused', () => {
  assert.match(csrfRefusal({ ...base, method: 'POST', token: undefined })!, /X-CSRF-Token/);
  assert.match(csrfRefusal({ ...base, method: 'POST', token: '' })!, /X-CSRF-Token/);
  assert.match(csrfRefusal({ ...base, method: 'PUT', token: newCsrfToken() })!, /does not match/);
  assert.match(csrfRefusal({ ...base, method: 'PATCH', token: token.slice(1) })!, /does not match/);
});

test('a write from another origin is refused even with the right token', () => {
  for (const origin of ['https://evil.example', 'http://nines.example.com', 'https://nines.example.com:8443', 'null', 'garbage']) {
    assert.match(csrfRefusal({ ...base, method: 'POST', origin })!, /cross-origin/, origin);
  }
});

test('secrets compare equal only when identical (constant time, any length)', () => {
  assert.equal(sameSecret('abc', 'abc'), true);
  assert.equal(sameSecret('abc', 'abd'), false);
  assert.equal(sameSecret('abc', 'abcd'), false);
  assert.equal(sameSecret('', 'x'), false);
  assert.equal(originOf('https://a.example:443/x?y'), 'https://a.example');
});
