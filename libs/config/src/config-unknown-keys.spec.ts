import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { problems } from './testing/problems';

/** Every problem parseConfig reports, as the `path: message` lines check-config prints. */

describe('config: unknown keys are errors, with a suggestion', () => {
  it('suggests the field a typo was meant to be', () => {
    const yaml = `
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    membrs:
      - name: pg1
        probe: { kind: tcp, address: "10.0.0.11:5432" }
`;
    assert.deepEqual(problems(yaml), ['systems[0].membrs: unknown field (did you mean "members"?)']);
  });

  it('suggests at the top level and inside nested sections', () => {
    assert.deepEqual(problems('defaluts: { interval: 10s }\n'), ['defaluts: unknown field (did you mean "defaults"?)']);
    assert.deepEqual(problems('defaults: { intervall: 10s }\n'), ['defaults.intervall: unknown field (did you mean "interval"?)']);
  });

  it('lists the known fields when nothing is close', () => {
    const [line] = problems('storage: { zzzzzzzzzz: 1 }\n');
    assert.equal(line, 'storage.zzzzzzzzzz: unknown field (known fields: raw_retention, rollup_retention)');
  });

  it('suggests a driver field for a typo inside a probe', () => {
    const yaml = `
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1:8080/", expect_stauts: [200] }
`;
    assert.deepEqual(problems(yaml), ['targets[0].probe.expect_stauts: unknown field (did you mean "expect_status"?)']);
  });

  it('suggests a common probe field (interval, timeout, labels) for a typo inside a probe', () => {
    const yaml = `
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1:8080/", timout: 2s }
`;
    assert.deepEqual(problems(yaml), ['targets[0].probe.timout: unknown field (did you mean "timeout"?)']);
  });

  it('lists driver and common fields for a probe field that resembles nothing', () => {
    const yaml = `
targets:
  - name: db-port
    probe: { kind: tcp, address: "10.0.0.11:5432", zzzzzzzzzz: 1 }
`;
    const [line] = problems(yaml);
    assert.match(line, /^targets\[0\]\.probe\.zzzzzzzzzz: unknown field \(known fields: address, .*\binterval, timeout, labels\)$/);
  });
});
