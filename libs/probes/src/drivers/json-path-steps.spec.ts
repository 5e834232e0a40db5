import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath, parseJsonPath } from './json-path';

describe('parseJsonPath', () => {
  it('reads dotted names, indexes and quoted keys, with or without a leading $', () => {
    assert.deepEqual(parseJsonPath('status'), ['status']);
    assert.deepEqual(parseJsonPath('checks.db[0].status'), ['checks', 'db', 0, 'status']);
    assert.deepEqual(parseJsonPath('$.checks.db'), ['checks', 'db']);
    assert.deepEqual(parseJsonPath('$["key with.dots"].x'), ['key with.dots', 'x']);
    assert.deepEqual(parseJsonPath("a['b']"), ['a', 'b']);
    assert.deepEqual(parseJsonPath('[2]'), [2]);
    assert.deepEqual(parseJsonPath('x-request-id'), ['x-request-id']);
  });

  it('reads $ alone as the whole document', () => {
    assert.deepEqual(parseJsonPath('$'), []);
  });

  it('rejects what it cannot read', () => {
    for (const bad of ['a.', 'a..b', 'a b', '[x]', 'a[-1]', '.', 'a[0', '0abc']) assert.equal(parseJsonPath(bad), undefined, bad);
  });
});

describe('evaluateJsonPath', () => {
  const doc = { status: 'UP', ok: false, count: 0, nothing: null, checks: { db: [{ status: 'UP' }, { status: 'DOWN' }] }, 'key with.dots': 1 };

  it('finds nested values, falsy ones included', () => {
    assert.deepEqual(evaluateJsonPath(doc, parseJsonPath('checks.db[1].status')!), { exists: true, value: 'DOWN' });
    assert.deepEqual(evaluateJsonPath(doc, ['ok']), { exists: true, value: false });
    assert.deepEqual(evaluateJsonPath(doc, ['count']), { exists: true, value: 0 });
    assert.deepEqual(evaluateJsonPath(doc, ['nothing']), { exists: true, value: null });
    assert.deepEqual(evaluateJsonPath(doc, parseJsonPath('$["key with.dots"]')!), { exists: true, value: 1 });
  });

  it('reports missing keys, indexes past the end and steps into scalars as not found', () => {
    assert.deepEqual(evaluateJsonPath(doc, ['missing']), { exists: false });
    assert.deepEqual(evaluateJsonPath(doc, ['checks', 'db', 2]), { exists: false });
    assert.deepEqual(evaluateJsonPath(doc, ['status', 'x']), { exists: false });
    assert.deepEqual(evaluateJsonPath(doc, ['nothing', 'x']), { exists: false });
    assert.deepEqual(evaluateJsonPath(doc, ['checks', 0]), { exists: false }, 'an index into an object');
  });

  it('does not reach inherited properties', () => {
    assert.deepEqual(evaluateJsonPath({}, ['constructor']), { exists: false });
    assert.deepEqual(evaluateJsonPath({}, ['__proto__']), { exists: false });
  });
});
