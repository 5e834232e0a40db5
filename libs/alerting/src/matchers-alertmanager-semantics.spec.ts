import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMatcher, type Matcher } from '../../config/src/matchers';
import { compile, matches, matchesAll } from './matchers';

const m = (text: string): Matcher => {
  const r = parseMatcher(text);
  assert.notEqual(typeof r, 'string', `${text}: ${r as string}`);
  return r as Matcher;
};
const labels = { alertname: 'MemberDown', severity: 'critical', system: 'orders-db', member: 'pg1' };

describe('matchers: Alertmanager semantics', () => {
  it('= and != compare whole values', () => {
    assert.equal(matches(m('severity="critical"'), labels), true);
    assert.equal(matches(m('severity="crit"'), labels), false);
    assert.equal(matches(m('severity!="critical"'), labels), false);
    assert.equal(matches(m('severity!="warning"'), labels), true);
  });

  it('regexes are anchored at both ends', () => {
    assert.equal(matches(m('system=~"orders"'), labels), false, 'a substring does not match');
    assert.equal(matches(m('system=~"orders.*"'), labels), true);
    assert.equal(matches(m('system=~".*-db"'), labels), true);
    assert.equal(matches(m('severity=~"warning|critical"'), labels), true);
    assert.equal(matches(m('severity=~"warn|crit"'), labels), false, 'alternation is anchored as a whole');
    assert.equal(matches(m('system!~"orders.*"'), labels), false);
    assert.equal(matches(m('system!~"ledger.*"'), labels), true);
  });

  it('a missing label is the empty string', () => {
    assert.equal(matches(m('team=""'), labels), true);
    assert.equal(matches(m('team!=""'), labels), false);
    assert.equal(matches(m('team!="db"'), labels), true);
    assert.equal(matches(m('team=~".*"'), labels), true);
    assert.equal(matches(m('team=~".+"'), labels), false);
    assert.equal(matches(m('team!~"db|web"'), labels), true);
  });

  it('unquoted values, spaces around the operator, and escaped quotes parse', () => {
    assert.deepEqual(m('severity=page'), { name: 'severity', op: '=', value: 'page' });
    assert.deepEqual(m(' severity = "page" '), { name: 'severity', op: '=', value: 'page' });
    assert.deepEqual(m('summary="say \\"hi\\""'), { name: 'summary', op: '=', value: 'say "hi"' });
    assert.deepEqual(m('system=~"a|b"'), { name: 'system', op: '=~', value: 'a|b' });
  });

  it('rejects what is not a matcher, and invalid regexes, with a reason', () => {
    assert.match(parseMatcher('severity') as string, /at column 9: unexpected end of the text; expected an operator/);
    assert.match(parseMatcher('=x') as string, /at column 1: unexpected "="; expected a label name/);
    assert.match(parseMatcher('system=~"("') as string, /at column 9: invalid regular expression/);
  });

  it('a stored pattern RE2 cannot compile selects nothing, with = and with !, and never throws', () => {
    // A silence saved when regexes were JavaScript's: lookahead is not RE2.
    assert.equal(matches({ name: 'a', op: '=~', value: 'x(?=y)' }, { a: 'xy' }), false);
    assert.equal(matches({ name: 'a', op: '!~', value: 'x(?=y)' }, { a: 'zz' }), false);
  });

  it('a regex bomb matches in linear time', () => {
    assert.equal(matches({ name: 'a', op: '=~', value: '(a+)+$' }, { a: `${'a'.repeat(5000)}!` }), false);
    assert.equal(matches({ name: 'a', op: '!~', value: '(a|aa)+' }, { a: `${'a'.repeat(5000)}!` }), true);
  });

  it('all matchers of a list must match; an empty list matches everything', () => {
    assert.equal(matchesAll(compile(['severity="critical"', 'system=~"orders-.*"']), labels), true);
    assert.equal(matchesAll(compile(['severity="critical"', 'system="ledger-db"']), labels), false);
    assert.equal(matchesAll(compile(undefined), labels), true);
  });
});
