import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../common/src/errors';
import { parseMatcher, type Matcher } from '../../config/src/matchers';
import { matchesEmpty, validateSilence } from './silence';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const base = { ends_at: new Date(T0 + 3_600_000).toISOString(), created_by: 'ana', comment: 'maintenance' };
const LIMITS = { count: 3, name_length: 16, value_length: 32 };

function refusal(matchers: unknown[], limits = LIMITS): string | undefined {
  try {
    validateSilence({ ...base, matchers }, T0, limits);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof DomainError);
    assert.equal(err.code, 'bad_request');
    return err.message;
  }
}

describe('a silence must not match everything (Alertmanager: at least one matcher must not match the empty string)', () => {
  for (const ms of [['a=""', 'b=~".*"'], ['{a="",b=~".*"}'], ['alertname=~".*"'], ['foo=""'], ['alertname=~".*"', 'foo=""'], ['team=~"db|"'], ['x=~"(a)?"']]) {
    it(`refuses ${ms.join(', ')}`, () => {
      assert.match(refusal(ms) ?? 'accepted', /at least one matcher must not match the empty string/);
    });
  }

  // Alertmanager's matchesEmpty counts only = and =~: negative matchers never make a silence "match everything".
  for (const ms of [['alertname=~".+"'], ['foo!~".+"'], ['system!=""'], ['alertname=~".*"', 'system="orders-db"'], ['foo!="bar"']]) {
    it(`accepts ${ms.join(', ')} as Alertmanager does`, () => {
      assert.equal(refusal(ms), undefined);
    });
  }

  it('reads "matches empty" per operator', () => {
    const m = (t: string) => parseMatcher(t) as Matcher;
    assert.equal(matchesEmpty(m('a=""')), true);
    assert.equal(matchesEmpty(m('a="x"')), false);
    assert.equal(matchesEmpty(m('a=~"x*"')), true);
    assert.equal(matchesEmpty(m('a=~"x+"')), false);
    assert.equal(matchesEmpty(m('a!=""')), false);
    assert.equal(matchesEmpty(m('a!~"x"')), false);
  });
});

describe('a silence request is bounded by limits.labels', () => {
  it('counting each matcher of a list written in one text', () => {
    assert.match(refusal(['{a="1",b="2"}', 'c="3",d="4"'])!, /matchers: has 4 matchers; at most 3 are allowed/);
    assert.equal(refusal(['{a="1",b="2"}', 'c="3"']), undefined);
  });

  it('in the number of matchers', () => {
    assert.match(refusal(['a="1"', 'b="2"', 'c="3"', 'd="4"'])!, /matchers: has 4 matchers; at most 3 are allowed \(limits\.labels\.count\)/);
  });

  it('in the length of a label name and of a value or pattern', () => {
    assert.match(refusal([`${'n'.repeat(17)}="x"`])!, /matchers\[0\]: label name is 17 characters long; at most 16/);
    assert.match(refusal([`a=~"${'x'.repeat(33)}"`])!, /matchers\[0\]: value is 33 characters long; at most 32/);
    assert.match(refusal([`a="${'x'.repeat(5000)}"`])!, /matchers\[0\]: is 5004 characters long/);
  });

  it('refuses a regex RE2 cannot compile, naming the matcher', () => {
    assert.match(refusal(['system="db"', 'a=~"(x)\\\\1"'])!, /matchers\[1\]: is not a matcher list: at column 4: invalid regular expression .*no backreferences or lookaround/);
  });

  it('refuses times no database can store', () => {
    assert.equal(refusal(['a="1"']), undefined);
    try {
      validateSilence({ ...base, matchers: ['a="1"'], ends_at: '+275760-09-13T00:00:00Z' }, T0, LIMITS);
      assert.fail('accepted');
    } catch (err) {
      assert.match((err as Error).message, /ends_at: must be an RFC 3339 time/);
    }
  });
});
