import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelSet, readLabelSet } from './label-set';

const LIMITS = { count: 3, name_length: 10, value_length: 8 };
const issues = (v: unknown) => readLabelSet(v, LIMITS).issues.map((i) => `${i.path.join('.') || '(set)'}: ${i.message}`);

describe('a label set from users is a bounded plain object of strings', () => {
  it('takes strings, and numbers as their text', () => {
    assert.deepEqual(readLabelSet({ severity: 'page', code: 503 }, LIMITS), { labels: { severity: 'page', code: '503' }, issues: [] });
    assert.deepEqual(readLabelSet({}, LIMITS), { labels: {}, issues: [] });
  });

  it('refuses a list (Alertmanager labels as an array were once stored as labels "0" and "1")', () => {
    assert.deepEqual(issues(['x', 'y']), ['(set): must be an object of label names to string values, got a list']);
    assert.deepEqual(issues('severity=page'), ['(set): must be an object of label names to string values, got a string']);
    assert.deepEqual(issues(null), ['(set): must be an object of label names to string values, got null']);
  });

  it('refuses nested values, booleans, null and non-finite numbers, naming the label', () => {
    assert.deepEqual(issues({ a: { b: 'c' }, b: ['x'], c: true }), ['a: must be a string, got an object', 'b: must be a string, got a list', 'c: must be a string, got a boolean']);
    assert.deepEqual(issues({ a: null }), ['a: must be a string, got null']);
  });

  it('bounds the count, the name length and the value length', () => {
    assert.match(issues({ a: '1', b: '2', c: '3', d: '4' })[0], /has 4 labels; at most 3 are allowed \(limits\.labels\.count\)/);
    assert.match(issues({ abcdefghijk: 'x' })[0], /^\(set\): label name "abcdefghijk" is 11 characters long; at most 10/);
    assert.deepEqual(issues({ a: '123456789' }), ['a: is 9 characters long; at most 8 are allowed (limits.labels.value_length)']);
  });

  it('refuses a value PostgreSQL cannot store as text in JSON (a lone surrogate)', () => {
    assert.deepEqual(issues({ a: 'x\ud800' }), ['a: must be valid Unicode (it holds half of a surrogate pair)']);
    assert.deepEqual(readLabelSet({ a: '😀' }, LIMITS).issues, []);
  });

  it('takes Prometheus label names only', () => {
    assert.match(issues({ '0day': 'x' })[0], /label name "0day" must match \[a-zA-Z_\]\[a-zA-Z0-9_\]\*/);
    assert.match(issues({ 'a-b': 'x' })[0], /must match/);
    assert.match(issues({ '': 'x' })[0], /must match/);
    assert.deepEqual(readLabelSet({ _x: '1', A_9: '2' }, LIMITS).issues, []);
  });

  it('keeps a label named __proto__ as a label', () => {
    const r = readLabelSet(JSON.parse('{"__proto__": "x"}'), LIMITS);
    assert.equal(Object.getPrototypeOf(r.labels), Object.prototype);
    assert.deepEqual(Object.keys(r.labels!), ['__proto__']);
  });

  it('says a few reasons for a flood, not one per label', () => {
    const flood = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`a${i}`, { x: i }]));
    assert.equal(readLabelSet(flood, { ...LIMITS, count: 1000 }).issues.length, 3);
    const huge = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`a${i}`, { x: i }]));
    assert.equal(readLabelSet(huge, { ...LIMITS, count: 1000 }).issues.length, 5);
  });

  it('as a zod schema, puts value problems under the label', () => {
    const r = labelSet(LIMITS).safeParse({ a: 'ok', b: 'too long!' });
    assert.equal(r.success, false);
    assert.deepEqual(r.error!.issues.map((i) => i.path), [['b']]);
  });
});
