import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { knownKinds } from '../../probes/src/registry';
import { parseConfig } from './config';
import { problems } from './testing/problems';


const target = (probe: string, extra = '') => `
targets:
  - name: homepage
    probe: ${probe}
${extra}`;

describe('config: field errors name the field and say what is wrong', () => {
  it('unknown probe kind lists the known kinds', () => {
    assert.deepEqual(problems(target('{ kind: htp, url: "http://127.0.0.1/" }')), [
      `targets[0].probe.kind: unknown probe kind "htp" (known: ${knownKinds().join(', ')})`,
    ]);
    assert.ok(knownKinds().includes('http') && knownKinds().includes('postgres'));
  });

  it('a missing required field "is required"', () => {
    assert.deepEqual(problems(target('{ url: "http://127.0.0.1/" }')), ['targets[0].probe.kind: is required']);
    assert.deepEqual(problems('targets:\n  - probe: { kind: http, url: "http://127.0.0.1/" }\n'), ['targets[0].name: is required']);
    assert.deepEqual(problems(target('{ kind: http }')), ['targets[0].probe.url: is required']);
  });

  it('a wrong type says what was expected and what was found', () => {
    assert.deepEqual(problems('defaults: { concurrency: many }\n'), ['defaults.concurrency: must be a number, got a string (4 characters)']);
    assert.deepEqual(problems(target('{ kind: http, url: "http://127.0.0.1/" }', '    labels: [web]')), ['targets[0].labels: must be a mapping, got a list']);
    assert.deepEqual(problems('systems: orders-db\n'), ['systems: must be a list, got a string (9 characters)']);
  });

  it('a bad enum value lists the allowed values (layer)', () => {
    const yaml = `
systems:
  - name: orders-db
    layer: database
    kind: postgres
    members: [{ name: pg1, probe: { kind: tcp, address: "10.0.0.11:5432" } }]
`;
    assert.deepEqual(problems(yaml), [
      'systems[0].layer: must be one of access, proxy, gateway, service, registry, coordination, cache, search, queue, storage, network (got "database")',
    ]);
  });

  it('a bad duration is reported once, with examples', () => {
    assert.deepEqual(problems('defaults: { interval: 10sec }\n'), ['defaults.interval: is not a duration (use e.g. 500ms, 10s, 5m, 1h, 30d)']);
    assert.deepEqual(problems('defaults: { interval: 10 }\n'), ['defaults.interval: must be a string, got number 10']);
    assert.deepEqual(problems('defaults: { interval: 0s }\n'), ['defaults.interval: must be greater than 0']);
    assert.deepEqual(problems(target('{ kind: http, url: "http://127.0.0.1/", cert_expiry_warn: soon }')), [
      'targets[0].probe.cert_expiry_warn: is not a duration (use e.g. 500ms, 10s, 5m, 1h, 30d)',
    ]);
  });

  it('a timeout longer than the interval is refused where the timeout was written', () => {
    assert.deepEqual(problems(target('{ kind: http, url: "http://127.0.0.1/" }', '    interval: 2s\n    timeout: 5s')), [
      'targets[0].timeout: must not exceed the interval (5000ms > 2000ms): a probe may never overlap itself',
    ]);
    assert.deepEqual(problems(target('{ kind: http, url: "http://127.0.0.1/", interval: 2s, timeout: 5s }')), [
      'targets[0].probe.timeout: must not exceed the interval (5000ms > 2000ms): a probe may never overlap itself',
    ]);
  });

  it('a timeout inherited from the system is reported at the system', () => {
    const yaml = `
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    timeout: 5s
    members:
      - name: pg1
        interval: 2s
        probe: { kind: tcp, address: "10.0.0.11:5432" }
`;
    assert.deepEqual(problems(yaml), ['systems[0].timeout: must not exceed the interval (5000ms > 2000ms): a probe may never overlap itself']);
  });

  it('a default timeout longer than a short interval is shortened, not an error', () => {
    const c = parseConfig(target('{ kind: http, url: "http://127.0.0.1/" }', '    interval: 1s'), {});
    assert.equal(c.targets[0].intervalMs, 1000);
    assert.equal(c.targets[0].timeoutMs, 1000);
  });

  it('a driver field with a bad value names the field', () => {
    assert.deepEqual(problems(target('{ kind: http, url: "ftp://127.0.0.1/" }')), ['targets[0].probe.url: must use http:// or https://, not ftp://']);
    assert.deepEqual(problems(target('{ kind: tcp, address: "10.0.0.11" }')), ['targets[0].probe.address: must be host:port (IPv6 as [::1]:port)']);
    assert.deepEqual(problems(target('{ kind: http, url: "http://h/", json_expect: UP }')), ['targets[0].probe.json_expect: json_expect needs json_path']);
  });

  it('an empty string where one is needed says so', () => {
    assert.deepEqual(problems(target('{ kind: http, url: "http://127.0.0.1/" }').replace('name: homepage', 'name: homepage\n    labels: { team: web }') + 'alerting:\n  receivers: [{ name: hook, webhook: { url: "http://127.0.0.1:9000/", secret: "" } }]\n  route: { receiver: hook }\n'), [
      'alerting.receivers[0].webhook.secret: must not be empty',
    ]);
  });
});
