import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDepthExceeds } from './json-depth';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('JSON nesting depth is bounded before parsing', () => {
  it('counts arrays and objects', () => {
    assert.equal(jsonDepthExceeds(bytes('{"a":[{"b":1}]}'), 3), false);
    assert.equal(jsonDepthExceeds(bytes('{"a":[{"b":[1]}]}'), 3), true);
    assert.equal(jsonDepthExceeds(bytes('[]'), 1), false);
    assert.equal(jsonDepthExceeds(bytes('1'), 0), false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    assert.equal(jsonDepthExceeds(bytes('{"a":"[[[[{{{{"}'), 1), false);
    assert.equal(jsonDepthExceeds(bytes('{"a":"\\"[[[[","b":"\\\\"}'), 1), false);
    assert.equal(jsonDepthExceeds(bytes('["\\\\",[[1]]]'), 2), true);
  });

  it('refuses 100,000 levels at once, without recursion', () => {
    assert.equal(jsonDepthExceeds(bytes('['.repeat(100_000) + ']'.repeat(100_000)), 64), true);
    assert.equal(jsonDepthExceeds(bytes('['.repeat(64) + ']'.repeat(64)), 64), false);
  });

  it('reads multi-byte UTF-8 as opaque string bytes', () => {
    assert.equal(jsonDepthExceeds(bytes('{"名前":"[値]","emoji":"😀{"}'), 1), false);
  });
});
