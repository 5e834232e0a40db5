import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimValues, displayName, roleForClaim } from './sign-in';

const roles = { 'nines-viewers': 'viewer', 'nines-oncall': 'responder', 'nines-admins': 'admin' } as const;

test('a list of groups grants the highest role any of them maps to, whatever the order', () => {
  assert.deepEqual(roleForClaim(['staff', 'nines-oncall', 'nines-viewers'], roles), { role: 'responder', values: ['staff', 'nines-oncall', 'nines-viewers'] });
  assert.equal(roleForClaim(['nines-admins', 'nines-viewers'], roles).role, 'admin');
  assert.equal(roleForClaim(['nines-viewers', 'nines-admins'], roles).role, 'admin');
});

test('a single string claim maps like a one-element list', () => {
  assert.deepEqual(roleForClaim('nines-viewers', roles), { role: 'viewer', values: ['nines-viewers'] });
});

test('no mapped value, an empty, missing or odd claim: no role (no session)', () => {
  assert.equal(roleForClaim(['staff', 'NINES-ADMINS'], roles).role, undefined, 'values match exactly, case included');
  assert.equal(roleForClaim([], roles).role, undefined);
  assert.equal(roleForClaim(undefined, roles).role, undefined);
  assert.equal(roleForClaim('', roles).role, undefined);
  assert.equal(roleForClaim({ 'nines-admins': true }, roles).role, undefined);
  assert.equal(roleForClaim(42, roles).role, undefined);
});

test('inherited object keys are not claim values that map to anything', () => {
  assert.equal(roleForClaim(['constructor', 'toString', '__proto__'], roles).role, undefined);
});

test('non-string list entries are dropped and duplicates kept once', () => {
  assert.deepEqual(claimValues(['a', 1, null, 'a', { b: 1 }, '', 'b']), ['a', 'b']);
});

test('the name is preferred_username, else email, else sub', () => {
  assert.equal(displayName({ sub: 's1', email: 'a@example.com', preferred_username: 'alice' }), 'alice');
  assert.equal(displayName({ sub: 's1', email: 'a@example.com', preferred_username: ' ' }), 'a@example.com');
  assert.equal(displayName({ sub: 's1' }), 's1');
  assert.equal(displayName({}), 'unknown');
});
