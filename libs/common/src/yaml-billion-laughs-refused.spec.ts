import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/src/config';
import { ConfigError } from '../../config/src/errors';
import { importOpenSlo } from '../../slo/src/openslo';
import { parseUserYaml, parseUserYamlDocuments, YamlInputError } from './yaml-input';

/** The classic: nine levels of nine aliases each, 9^9 (387 million) strings once expanded. */
function billionLaughs(): string {
  let s = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const n of 'bcdefghi') {
    s += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  return s;
}

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('YAML from users is read with bounds', () => {
  it('refuses a billion laughs document in one line', () => {
    const msg = refusal(() => parseUserYaml(billionLaughs()));
    assert.match(msg, /too many alias expansions \(at most 100\)/);
    assert.equal(msg.includes('\n'), false);
  });

  it('still reads anchors and aliases used normally', () => {
    assert.deepEqual(parseUserYaml('base: &b { interval: 5s }\nother: *b\n'), { base: { interval: '5s' }, other: { interval: '5s' } });
  });

  it('refuses deep flow and block nesting, and a recursive alias', () => {
    assert.match(refusal(() => parseUserYaml(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`)), /nested too deeply/);
    assert.match(refusal(() => parseUserYaml(`a: ${'['.repeat(70)}${']'.repeat(70)}`)), /nested too deeply \(at most 64 levels\)/);
    const block = Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    assert.match(refusal(() => parseUserYaml(block)), /nested too deeply/);
    assert.match(refusal(() => parseUserYaml('a: &a [*a]\n')), /nested too deeply|alias/);
  });

  it('throws its own error type with the line of a syntax error', () => {
    try {
      parseUserYaml('a: 1\nb: [\n');
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof YamlInputError);
      assert.equal(typeof err.line, 'number');
    }
  });

  it('the config refuses it as one path: reason', () => {
    try {
      parseConfig(billionLaughs(), {});
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.issues, [{ path: '(root)', message: 'YAML syntax error: too many alias expansions (at most 100): refused as a "billion laughs" document' }]);
    }
  });

  it('nines slo import reports it as an error of the document, never throws', () => {
    const r = importOpenSlo(billionLaughs());
    assert.equal(r.slos.length, 0);
    assert.match(r.errors[0].message, /too many alias expansions/);
    assert.match(parseUserYamlDocuments('a: 1\n---\nb: [\n')[1].error ?? '', /line \d+/);
  });
});
