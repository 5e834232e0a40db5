import { compileUserRegex, userRegexProblem } from '../../common/src/user-regex';

/**
 * Alertmanager's label matchers, one grammar for routes, inhibit rules, silences and the API.
 *
 * A text holds zero or more matchers: `severity="page"`, `{owner="team-A"}`,
 * `foo=bar,dings!=bums` (two), `{foo = "bar", dings != "bums", }`. It is read as Alertmanager
 * reads it in its default (fallback) mode (matcher/compat): the classic parser
 * (pkg/labels ParseMatchers) first, whose result wins when it parses; otherwise the UTF-8
 * parser (matcher/parse), which adds quoted label names (`"service.name"="x"`) and Go string
 * escapes. A text neither reads is refused with the column and the reason.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** Why a text is not matchers: `column` counts characters from 1. */
export interface MatcherSyntaxError {
  column: number;
  reason: string;
}

export type ParsedMatchers = { matchers: Matcher[] } | { error: MatcherSyntaxError };

/** `at column N: reason`, the form used in config and API errors. */
export function describeMatcherError(e: MatcherSyntaxError): string {
  return `at column ${e.column}: ${e.reason}`;
}

/** Every matcher a text holds, as Alertmanager reads it, or the first problem. */
export function parseMatchers(text: string): ParsedMatchers {
  const classic = parseClassic(text);
  if ('matchers' in classic) return classic;
  const utf8 = parseUtf8(text);
  if ('matchers' in utf8) return utf8;
  // Both refuse it. A bad regex is the same problem to both; otherwise the UTF-8 parser knows where.
  return classic.regexError ? { error: classic.error } : utf8;
}

/** Exactly one matcher (tests and callers that take one); an error as `at column N: reason`. */
export function parseMatcher(text: string): Matcher | string {
  const r = parseMatchers(text);
  if ('error' in r) return describeMatcherError(r.error);
  if (r.matchers.length !== 1) return `holds ${r.matchers.length} matchers where one is expected`;
  return r.matchers[0];
}

// Column (1-based, in code points) of a UTF-16 offset: what a person counts in the text.
const columnAt = (text: string, offset: number) => [...text.slice(0, offset)].length + 1;

function regexProblem(op: MatchOp, value: string): string | undefined {
  if (op !== '=~' && op !== '!~') return undefined;
  const problem = userRegexProblem(value, { anchored: true });
  return problem && `invalid regular expression ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}: ${problem}`;
}

// ---- The classic parser (Alertmanager pkg/labels): lenient, what existing configs are written in.

// Go's \s (RE2 Perl class) is [\t\n\f\r ]; the value is anything, lazily, up to trailing space.
const CLASSIC = /^[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*([\s\S]*?)[\t\n\f\r ]*$/d;

type ClassicResult = { matchers: Matcher[] } | { error: MatcherSyntaxError; regexError: boolean };

function parseClassic(input: string): ClassicResult {
  // One leading "{" and one trailing "}" are dropped, exactly at the ends.
  let s = input;
  let offset = 0;
  if (s.startsWith('{')) {
    s = s.slice(1);
    offset = 1;
  }
  if (s.endsWith('}')) s = s.slice(0, -1);
  // Split at commas outside double quotes; \" does not open or close a quote.
  const tokens: { text: string; at: number }[] = [];
  let inside = false;
  let escaped = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ',' && !inside) {
      tokens.push({ text: s.slice(start, i), at: offset + start });
      start = i + 1;
      continue;
    }
    if (c === '"') {
      if (!escaped) inside = !inside;
      else escaped = false;
    } else if (c === '\\') escaped = !escaped;
    else escaped = false;
  }
  const last = s.slice(start);
  if (last.trim()) tokens.push({ text: last, at: offset + start });
  const matchers: Matcher[] = [];
  for (const t of tokens) {
    const m = parseClassicMatcher(t.text);
    if ('reason' in m) return { error: { column: columnAt(input, t.at + m.at), reason: m.reason }, regexError: m.regexError };
    matchers.push(m);
  }
  return { matchers };
}

function parseClassicMatcher(s: string): Matcher | { reason: string; at: number; regexError: boolean } {
  const m = CLASSIC.exec(s);
  if (!m) return { reason: 'not a matcher: expected a label name, an operator (=, !=, =~, !~) and a value, e.g. severity="page"', at: 0, regexError: false };
  const valueAt = m.indices![3][0];
  let raw = m[3];
  let expectTrailingQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectTrailingQuote = true;
  }
  // \n, \" and \\ are escapes; any other backslash is itself (so regexes keep \d, \w, \.).
  let value = '';
  let escaped = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (escaped) {
      escaped = false;
      value += c === 'n' ? '\n' : c === '"' || c === '\\' ? c : `\\${c}`;
      continue;
    }
    if (c === '\\') {
      if (i < raw.length - 1) escaped = true;
      else value += '\\';
    } else if (c === '"') {
      if (!expectTrailingQuote || i < raw.length - 1) return { reason: 'the value contains an unescaped double quote (write \\")', at: valueAt, regexError: false };
      expectTrailingQuote = false;
    } else value += c;
  }
  if (expectTrailingQuote) return { reason: 'the value has no closing double quote', at: valueAt, regexError: false };
  const op = m[2] as MatchOp;
  const problem = regexProblem(op, value);
  if (problem) return { reason: problem, at: valueAt, regexError: true };
  return { name: m[1], op, value };
}

// ---- The UTF-8 parser (Alertmanager matcher/parse): quoted names, Go string escapes.

type TokenKind = '{' | '}' | ',' | MatchOp | 'quoted' | 'unquoted' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  /** UTF-16 offset in the input. */
  at: number;
}

class Fail {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {}
}

// Characters that end an unquoted name or value: whitespace and the grammar's own.
const isReserved = (c: string) => /\s/u.test(c) || '{}!=~,\\"\'`'.includes(c);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/u.test(c)) {
      i++;
    } else if (c === '{' || c === '}' || c === ',') {
      tokens.push({ kind: c, text: c, at: i++ });
    } else if (c === '=' || c === '!') {
      const two = input.slice(i, i + 2);
      if (two === '=~' || two === '!=' || two === '!~') {
        tokens.push({ kind: two, text: two, at: i });
        i += 2;
      } else if (c === '=') tokens.push({ kind: '=', text: '=', at: i++ });
      else throw new Fail(i, `"!" must be followed by = or ~ (found ${describe(input, i + 1)})`);
    } else if (c === '"') {
      let j = i + 1;
      for (; j < input.length && input[j] !== '"'; j++) if (input[j] === '\\') j++;
      if (j >= input.length) throw new Fail(i, 'a quoted string has no closing double quote');
      tokens.push({ kind: 'quoted', text: input.slice(i, j + 1), at: i });
      i = j + 1;
    } else if (!isReserved(c)) {
      let j = i;
      while (j < input.length && !isReserved(input[j])) j++;
      tokens.push({ kind: 'unquoted', text: input.slice(i, j), at: i });
      i = j;
    } else throw new Fail(i, `unexpected ${JSON.stringify(c)}${c === '\\' || c === "'" || c === '`' ? ' (outside double quotes; quote the value)' : ''}`);
  }
  tokens.push({ kind: 'eof', text: '', at: input.length });
  return tokens;
}

function describe(input: string, i: number): string {
  return i >= input.length ? 'the end of the text' : JSON.stringify([...input.slice(i)][0]);
}

/** Go's strconv.Unquote for a double-quoted string, then a UTF-8 check, as the UTF-8 parser does. */
function unquote(t: Token): string {
  const s = t.text.slice(1, -1);
  const bytes: number[] = [];
  const pushText = (text: string) => bytes.push(...Buffer.from(text, 'utf8'));
  for (let i = 0; i < s.length; i++) {
    const c = String.fromCodePoint(s.codePointAt(i)!);
    if (c === '\n') throw new Fail(t.at + 1 + i, 'a quoted string cannot contain a line break (write \\n)');
    if (c !== '\\') {
      pushText(c);
      i += c.length - 1;
      continue;
    }
    const e = s[++i];
    const at = t.at + i;
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
    if (e in simple) bytes.push(simple[e]);
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new Fail(at, `\\${e} needs ${n} hexadecimal digits`);
      const v = parseInt(hex, 16);
      if (e === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new Fail(at, `\\${e}${hex} is not a Unicode code point`);
      else pushText(String.fromCodePoint(v));
      i += n;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new Fail(at, 'an octal escape needs three digits up to \\377');
      bytes.push(parseInt(oct, 8));
      i += 2;
    } else throw new Fail(at, `\\${e ?? ''} is not an escape in a quoted string (use \\\\ for a backslash, \\n, \\", \\t, \\xHH, \\uHHHH)`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new Fail(t.at, 'the quoted string is not valid UTF-8');
  }
}

function parseUtf8(input: string): { matchers: Matcher[] } | { error: MatcherSyntaxError } {
  try {
    const tokens = lex(input);
    let k = 0;
    const peek = () => tokens[k];
    const next = () => tokens[k++];
    const unexpected = (t: Token, wanted: string) => new Fail(t.at, t.kind === 'eof' ? `unexpected end of the text; expected ${wanted}` : `unexpected ${JSON.stringify(t.text)}; expected ${wanted}`);
    const matchers: Matcher[] = [];
    const open = peek().kind === '{';
    if (open) next();
    const close = () => {
      const t = next();
      if (open && t.kind !== '}') throw unexpected(t, 'a closing brace');
      if (!open && t.kind === '}') throw new Fail(t.at, 'a closing brace without an opening one');
      if (t.kind === '}') {
        const after = next();
        if (after.kind !== 'eof') throw unexpected(after, 'the end of the text after the closing brace');
      } else if (t.kind !== 'eof') throw unexpected(t, 'the end of the text');
    };
    if (peek().kind === 'eof' || peek().kind === '}') {
      close();
      return { matchers };
    }
    for (;;) {
      const name = next();
      if (name.kind !== 'quoted' && name.kind !== 'unquoted') throw unexpected(name, 'a label name');
      const op = next();
      if (op.kind !== '=' && op.kind !== '!=' && op.kind !== '=~' && op.kind !== '!~') throw unexpected(op, "an operator such as '=', '!=', '=~' or '!~'");
      const value = next();
      if (value.kind !== 'quoted' && value.kind !== 'unquoted') throw unexpected(value, 'a label value');
      const m: Matcher = { name: name.kind === 'quoted' ? unquote(name) : name.text, op: op.kind, value: value.kind === 'quoted' ? unquote(value) : value.text };
      if (!m.name) throw new Fail(name.at, 'the label name is empty');
      const problem = regexProblem(m.op, m.value);
      if (problem) throw new Fail(value.at, problem);
      matchers.push(m);
      const sep = peek();
      if (sep.kind === ',') {
        next();
        const after = peek();
        if (after.kind === 'eof' || after.kind === '}') break;
        if (after.kind !== 'quoted' && after.kind !== 'unquoted') throw unexpected(after, 'a matcher or a closing brace after the comma');
        continue;
      }
      if (sep.kind === 'eof' || sep.kind === '}') break;
      throw unexpected(sep, 'a comma or a closing brace');
    }
    close();
    return { matchers };
  } catch (err) {
    if (err instanceof Fail) return { error: { column: columnAt(input, err.at), reason: err.reason } };
    throw err;
  }
}

/**
 * A matcher as Alertmanager prints it: `name="value"` with \\, \" and \n escaped, and the name
 * quoted when it is not a classic label name. Reading it back gives the same matcher.
 */
export function formatMatcher(m: Matcher): string {
  const value = m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(m.name) ? m.name : JSON.stringify(m.name);
  return `${name}${m.op}"${value}"`;
}

/**
 * Alertmanager semantics: a missing label matches as the empty string; regexes are anchored. A
 * stored pattern RE2 cannot compile (a silence saved before regexes were RE2) selects nothing,
 * as Alertmanager leaves a silence whose matchers fail to compile out of its index.
 */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return fullMatch(m.value, v) === true;
    case '!~':
      return fullMatch(m.value, v) === false;
  }
}

function fullMatch(pattern: string, v: string): boolean | undefined {
  try {
    return compileUserRegex(pattern, { anchored: true }).test(v);
  } catch {
    return undefined;
  }
}

export function matchesAll(ms: Matcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => matches(m, labels));
}
