import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, hashToken, looksLikeToken, newToken, sameHash } from './token';

test('a new token is 256 random bits behind the nines_ prefix, and two are never alike', () => {
  const a = newToken();
  const b = newToken();
  assert.match(a, /^nines_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
  assert.equal(looksLikeToken(a), true);
  assert.equal(newToken(() => Buffer.alloc(32, 0)), `nines_${'A'.repeat(43)}`);
});

test('only the hash is kept; the same token hashes alike, another does not, compared in constant time', () => {
  const t = newToken();
  const h = hashToken(t);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.ok(!h.includes(t.slice(6)), 'the hash does not contain the token');
  assert.equal(sameHash(h, hashToken(t)), true);
  assert.equal(sameHash(h, hashToken(newToken())), false);
  assert.equal(sameHash(h, ''), false);
  assert.equal(sameHash(h, h.slice(0, 10)), false);
});

test('the bearer value is read from the Authorization header; anything else is no token', () => {
  assert.equal(bearerToken('Bearer nines_abc'), 'nines_abc');
  assert.equal(bearerToken('  bearer   nines_abc '), 'nines_abc');
  assert.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined);
  assert.equal(bearerToken('Bearer'), undefined);
  assert.equal(bearerToken(undefined), undefined);
  assert.equal(looksLikeToken('nines_short'), false);
  assert.equal(looksLikeToken("nines_' or 1=1 --"), false);
});
