import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRoute, matchRoutes } from '../../alerting/src/route';
import { formatMatcher, matches, parseMatchers, type Matcher } from './matchers';

// Expected results are Alertmanager's in its default mode (matcher/compat fallback: the classic
// pkg/labels parser's answer when it parses, the UTF-8 matcher/parse answer otherwise), worked
// out from those parsers' code and documented examples.
const ok = (text: string): Matcher[] => {
  const r = parseMatchers(text);
  assert.ok('matchers' in r, `${text}: ${'error' in r ? `column ${r.error.column}: ${r.error.reason}` : ''}`);
  return r.matchers;
};
const refused = (text: string) => {
  const r = parseMatchers(text);
  assert.ok('error' in r, `${text} was accepted: ${JSON.stringify(r)}`);
  return r.error;
};
const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });

describe('matchers parse like Alertmanager: braces and lists', () => {
  it('reads a matcher in braces, as in Alertmanager\'s own route examples', () => {
    assert.deepEqual(ok('{owner="team-A"}'), [eq('owner', 'team-A')]);
  });

  it('reads a comma list as several matchers, with or without braces and spaces', () => {
    assert.deepEqual(ok('foo=bar,dings!=bums'), [eq('foo', 'bar'), { name: 'dings', op: '!=', value: 'bums' }]);
    assert.deepEqual(ok('{foo = "bar", dings != "bums", }'), [eq('foo', 'bar'), { name: 'dings', op: '!=', value: 'bums' }]);
    assert.deepEqual(ok('{foo="bar,quux", job="job1"}'), [eq('foo', 'bar,quux'), eq('job', 'job1')]);
  });

  it('reads {} and the empty text as no matchers', () => {
    assert.deepEqual(ok('{}'), []);
    assert.deepEqual(ok(''), []);
  });

  it('tolerates a missing brace as the classic parser does', () => {
    assert.deepEqual(ok('{foo="bar"'), [eq('foo', 'bar')]);
    assert.deepEqual(ok('foo="bar"}'), [eq('foo', 'bar')]);
  });
});

describe('matchers parse like Alertmanager: quoting and escapes', () => {
  it('reads \\n as a line break, \\" as a quote and \\\\ as one backslash', () => {
    assert.deepEqual(ok('foo="bar\\n"'), [eq('foo', 'bar\n')]);
    assert.deepEqual(ok('quote="She said: \\"Hi, ladies!\\""'), [eq('quote', 'She said: "Hi, ladies!"')]);
    assert.deepEqual(ok('path="C:\\\\temp"'), [eq('path', 'C:\\temp')]);
  });

  it('keeps any other backslash, so regexes keep \\d and \\.', () => {
    assert.deepEqual(ok('instance=~"db\\d+"'), [{ name: 'instance', op: '=~', value: 'db\\d+' }]);
    assert.deepEqual(ok('host=~"a\\.b"'), [{ name: 'host', op: '=~', value: 'a\\.b' }]);
    assert.deepEqual(ok('{foo=bar\\t}'), [eq('foo', 'bar\\t')]);
  });

  it('reads unquoted values, also with an escape', () => {
    assert.deepEqual(ok('severity=page'), [eq('severity', 'page')]);
    assert.deepEqual(ok('{foo=bar\\n}'), [eq('foo', 'bar\n')]);
    assert.deepEqual(ok('foo=~bar.*'), [{ name: 'foo', op: '=~', value: 'bar.*' }]);
  });

  it('applies Go string escapes only where the classic parser cannot read the text (quoted names)', () => {
    // The classic parser keeps "\t" as backslash-t; with a quoted name only the UTF-8 parser reads it.
    assert.deepEqual(ok('foo="a\\tb"'), [eq('foo', 'a\\tb')]);
    assert.deepEqual(ok('{"foo.bar"="a\\tb"}'), [eq('foo.bar', 'a\tb')]);
    assert.deepEqual(ok('"service.name"="caf\\u00e9"'), [eq('service.name', 'café')]);
  });
});

describe('matchers parse like Alertmanager: label names', () => {
  it('accepts colons, as Prometheus names of recording rules have', () => {
    assert.deepEqual(ok('job:name="x"'), [eq('job:name', 'x')]);
  });

  it('accepts any UTF-8 name in the UTF-8 form, quoted or not', () => {
    assert.deepEqual(ok('"http.status"="500"'), [eq('http.status', '500')]);
    assert.deepEqual(ok('9lives="x"'), [eq('9lives', 'x')]);
  });
});

describe('matchers refused, with the column and the reason', () => {
  for (const [text, column, reason] of [
    ['severity', 9, /unexpected end of the text; expected an operator/],
    ['severity page', 10, /unexpected "page"; expected an operator/],
    ['=page', 1, /unexpected "="; expected a label name/],
    ['a=="x"', 3, /unexpected "="; expected a label value/],
    ['foo="bar', 5, /no closing double quote/],
    ['foo!bar', 4, /"!" must be followed by = or ~/],
    ['a="1",,b="2"', 7, /unexpected ","; expected a matcher or a closing brace/],
    ['team=~"(db"', 7, /invalid regular expression "\(db": missing closing \)/],
    ['{a="1"} {b="2"}', 9, /unexpected "\{"; expected the end of the text after the closing brace/],
    ['a="1" b', 7, /unexpected "b"; expected a comma or a closing brace/],
    ['{"a\\q"="x"}', 4, /\\q is not an escape in a quoted string/],
  ] as const)
    it(`${text} → column ${column}`, () => {
      const e = refused(text);
      assert.equal(e.column, column);
      assert.match(e.reason, reason);
    });

  it('counts columns in characters, not UTF-16 units', () => {
    assert.equal(refused('{"😀"="x" y}').column, 10);
  });

  it('refuses a regex RE2 cannot compile, saying it is RE2', () => {
    assert.match(refused('a=~"(x)\\1"').reason, /no backreferences or lookaround/);
  });
});

describe('matcher regexes are RE2, anchored as Alertmanager anchors them', () => {
  const one = (text: string) => ok(text)[0];
  it('(?i) makes a matcher case-insensitive', () => {
    assert.equal(matches(one('severity=~"(?i)critical"'), { severity: 'CRITICAL' }), true);
  });
  it('\\d and POSIX classes work', () => {
    assert.equal(matches(one('instance=~"db\\d+"'), { instance: 'db12' }), true);
    assert.equal(matches(one('instance=~"db\\d+"'), { instance: 'dbd' }), false);
    assert.equal(matches(one('v=~"[[:alpha:]]+"'), { v: 'abc' }), true);
    assert.equal(matches(one('v=~"[[:alpha:]]+"'), { v: 'abc1' }), false);
  });
  it('. is one code point, an emoji included, and never a line break', () => {
    assert.equal(matches(one('v=~"."'), { v: '😀' }), true);
    assert.equal(matches(one('v=~".."'), { v: '😀' }), false);
    assert.equal(matches(one('v=~"a.c"'), { v: 'a\nc' }), false);
  });
  it('a value with \\n matches a label holding a line break', () => {
    assert.equal(matches(one('foo="bar\\n"'), { foo: 'bar\n' }), true);
  });
});

describe('matchers print as Alertmanager prints them and read back the same', () => {
  for (const text of ['a="x"', 'foo="bar\\n"', 'instance=~"db\\d+"', 'q="say \\"hi\\""', '"service.name"="x"', 'job:name!~"a|b"'])
    it(text, () => {
      const [m] = ok(text);
      assert.deepEqual(ok(formatMatcher(m)), [m]);
    });
  it('escapes a backslash so the classic parser reads it back', () => {
    assert.equal(formatMatcher({ name: 'instance', op: '=~', value: 'db\\d+' }), 'instance=~"db\\\\d+"');
  });
});

describe('routes take braces and lists from an Alertmanager config', () => {
  it('routes {owner="team-A"} and a two-matcher list', () => {
    const root = buildRoute({ receiver: 'default', routes: [{ matchers: ['{owner="team-A"}'], receiver: 'a' }, { matchers: ['foo=bar,dings!=bums'], receiver: 'b' }] });
    assert.deepEqual(matchRoutes(root, { owner: 'team-A' }).map((r) => r.receiver), ['a']);
    assert.deepEqual(matchRoutes(root, { foo: 'bar', dings: 'x' }).map((r) => r.receiver), ['b']);
    assert.deepEqual(matchRoutes(root, { foo: 'bar', dings: 'bums' }).map((r) => r.receiver), ['default']);
  });
});
