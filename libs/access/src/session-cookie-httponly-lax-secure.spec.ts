import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieSecure, hashSessionId, looksLikeSessionId, newSessionId, readCookie, setCookie } from './session';

test('a session id is 32 random bytes (base64url), kept only as its SHA-256', () => {
  const a = newSessionId();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, newSessionId());
  assert.equal(Buffer.from(a, 'base64url').length, 32);
  assert.equal(looksLikeSessionId(a), true);
  assert.equal(looksLikeSessionId('short'), false);
  assert.equal(looksLikeSessionId(undefined), false);
  const h = hashSessionId(a);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.ok(!h.includes(a));
});

test('the session cookie is HttpOnly, SameSite=Lax, Path=/, with the session lifetime; Secure only over HTTPS', () => {
  assert.equal(setCookie('nines_session', 'v', { path: '/', maxAge: 43200, secure: false }), 'nines_session=v; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax');
  assert.equal(setCookie('nines_session', 'v', { path: '/', maxAge: 43200, secure: true }), 'nines_session=v; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax; Secure');
  assert.equal(setCookie('nines_session', '', { path: '/', maxAge: 0, secure: false }), 'nines_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax', 'clearing');
});

test('Secure follows the request (TLS or a trusted proxy) or an https external URL', () => {
  assert.equal(cookieSecure(true, undefined), true);
  assert.equal(cookieSecure(false, 'https://nines.example.com'), true);
  assert.equal(cookieSecure(false, 'HTTPS://nines.example.com'), true);
  assert.equal(cookieSecure(false, 'http://127.0.0.1:8080'), false);
  assert.equal(cookieSecure(false, undefined), false);
});

test('a cookie is read by exact name from the Cookie header', () => {
  assert.equal(readCookie('a=1; nines_session=abc; b=2', 'nines_session'), 'abc');
  assert.equal(readCookie('xnines_session=evil; nines_session=good', 'nines_session'), 'good');
  assert.equal(readCookie('nines_session="quoted"', 'nines_session'), 'quoted');
  assert.equal(readCookie('a=1', 'nines_session'), undefined);
  assert.equal(readCookie(undefined, 'nines_session'), undefined);
});
