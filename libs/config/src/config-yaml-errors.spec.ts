import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { ConfigError } from './errors';
import { problems } from './testing/problems';


describe('config: YAML syntax errors', () => {
  it('gives the line and column, once', () => {
    const yaml = ['defaults: { interval: 10s }', 'targets:', '  - name: homepage', '   probe: { kind: http }', ''].join('\n');
    const lines = problems(yaml);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^\(root\): YAML syntax error at line 4, column \d+: \S/);
    assert.equal(lines[0].match(/at line/g)?.length, 1, lines[0]);
  });

  it('refuses duplicate keys with their line', () => {
    const lines = problems('defaults: { interval: 10s }\ndefaults: { timeout: 1s }\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^\(root\): YAML syntax error at line 2, column 1: Map keys must be unique$/);
  });

  it('reports an unclosed flow mapping', () => {
    const [line] = problems('targets:\n  - name: homepage\n    probe: { kind: http, url: "http://h/"\n');
    assert.match(line, /^\(root\): YAML syntax error at line \d+, column \d+: /);
  });

  it('refuses a document that is not a mapping', () => {
    assert.deepEqual(problems('just a string\n'), ['(root): must be a mapping with systems, targets, …']);
    assert.deepEqual(problems('- a\n- b\n'), ['(root): must be a mapping with systems, targets, …']);
  });

  it('reads an empty document as an empty config', () => {
    const c = parseConfig('', {});
    assert.deepEqual(c.targets, []);
    assert.equal(c.defaults.intervalMs, 10_000);
    assert.equal(c.defaults.timeoutMs, 3_000);
  });

  it('throws a ConfigError whose message lists the problems, one per line', () => {
    try {
      parseConfig('defaults: { interval: soon, timeout: never }\n', {});
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(
        e.message,
        'invalid configuration:\ndefaults.interval: is not a duration (use e.g. 500ms, 10s, 5m, 1h, 30d)\ndefaults.timeout: is not a duration (use e.g. 500ms, 10s, 5m, 1h, 30d)',
      );
    }
  });
});
