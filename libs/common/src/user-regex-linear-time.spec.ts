import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileUserRegex, MAX_PATTERN_LENGTH, UserRegexError, userRegexProblem } from './user-regex';

// Each of these takes exponential (or high polynomial) time in a backtracking engine such as
// JavaScript's RegExp against the texts below: a regression to `new RegExp` hangs this test until
// the runner's timeout, which is the failure signal (no timing threshold here).
const LONG_A = 'a'.repeat(50_000);
const BOMBS: { pattern: string; text: string; anchored: boolean; expect: boolean }[] = [
  { pattern: '(a+)+$', text: `${LONG_A}!`, anchored: false, expect: false },
  { pattern: '(a|aa)+$', text: `${LONG_A}!`, anchored: false, expect: false },
  { pattern: '(.*a){20}', text: `${'a'.repeat(5_000)}!`, anchored: true, expect: false },
  { pattern: '(a*)*b', text: LONG_A, anchored: true, expect: false },
  { pattern: '(x+x+)+y', text: 'x'.repeat(50_000), anchored: false, expect: false },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', text: `${'abcdefghij'.repeat(5_000)}!`, anchored: false, expect: false },
  // The same bombs where they do match: correctness, not only speed.
  { pattern: '(a+)+$', text: LONG_A, anchored: false, expect: true },
  { pattern: '(.*a){20}', text: 'a'.repeat(5_000), anchored: true, expect: true },
];

describe('user regexes are matched in linear time (RE2), as Alertmanager matches them', () => {
  for (const b of BOMBS) {
    it(`${b.pattern} ${b.anchored ? 'anchored' : 'searched'} against ${b.text.length} characters is ${b.expect}`, () => {
      assert.equal(compileUserRegex(b.pattern, { anchored: b.anchored }).test(b.text), b.expect);
    });
  }

  it('anchors matchers like Alertmanager: ^(?:…)$', () => {
    const re = compileUserRegex('db|web', { anchored: true });
    assert.equal(re.test('db'), true);
    assert.equal(re.test('web'), true);
    assert.equal(re.test('webdb'), false);
    assert.equal(re.test('xdb'), false);
    assert.equal(compileUserRegex('.*', { anchored: true }).test(''), true);
    assert.equal(compileUserRegex('.+', { anchored: true }).test(''), false);
  });

  it('searches unanchored patterns and returns groups as exec does', () => {
    const m = compileUserRegex('node=(\\w+)').exec('<p>node=pg2</p>');
    assert.ok(m);
    assert.equal(m[0], 'node=pg2');
    assert.equal(m[1], 'pg2');
    assert.equal(m.index, 3);
    assert.equal(compileUserRegex('node=(?P<node>\\w+)').exec('node=pg1')?.groups?.node, 'pg1');
    assert.equal(compileUserRegex('nomatch').exec('node=pg1'), null);
    assert.equal(compileUserRegex('(?i)READY').test('server is ready'), true);
  });

  it('refuses what RE2 cannot do, with the reason', () => {
    assert.match(userRegexProblem('(a)\\1')!, /invalid escape sequence.*no backreferences or lookaround/);
    assert.match(userRegexProblem('foo(?=bar)')!, /Perl syntax/);
    assert.match(userRegexProblem('(?<!x)y')!, /no backreferences or lookaround/);
    assert.match(userRegexProblem('(a{1000}){1000}')!, /invalid repeat count/);
    assert.match(userRegexProblem('a(b')!, /missing closing \)/);
    assert.equal(userRegexProblem('severity|team'), undefined);
    assert.throws(() => compileUserRegex('(a)\\1', { anchored: true }), UserRegexError);
  });

  it('bounds the pattern and its compiled size', () => {
    assert.match(userRegexProblem('a'.repeat(MAX_PATTERN_LENGTH + 1))!, /at most 4096/);
    assert.match(userRegexProblem('.{1000}'.repeat(20))!, /instructions; at most/);
    assert.equal(userRegexProblem('a'.repeat(MAX_PATTERN_LENGTH)), undefined);
  });
});
