import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { knownKinds } from '../../probes/src/registry';
import { problems } from './testing/problems';


describe('config: every problem is reported in one run', () => {
  it('lists schema errors from different sections together', () => {
    const yaml = `
defaults: { interval: 10sec }
systems:
  - name: orders-db
    layer: database
    kind: postgres
    membrs: []
slos:
  - name: s
    selector: { target: homepage }
    objective: 100
    window: 30d
storage: { raw_retention: forever }
`;
    assert.deepEqual(problems(yaml), [
      'defaults.interval: is not a duration (use e.g. 500ms, 10s, 5m, 1h, 30d)',
      'systems[0].layer: must be one of access, proxy, gateway, service, registry, coordination, cache, search, queue, storage, network (got "database")',
      'systems[0].membrs: unknown field (did you mean "members"?)',
      'slos[0].objective: must be below 100 (100% leaves no error budget)',
      'storage.raw_retention: is not a duration (use e.g. 500ms, 10s, 5m, 1h, 30d)',
    ]);
  });

  it('lists probe errors together with schema errors elsewhere', () => {
    const yaml = `
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    expect: { primares: 1 }
    members:
      - name: pg1
        probe: { kind: postgress, url: "postgres://10.0.0.11/postgres" }
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1/", timout: 1s }
`;
    assert.deepEqual(problems(yaml), [
      'systems[0].expect.primares: unknown field (did you mean "primaries"?)',
      `systems[0].members[0].probe.kind: unknown probe kind "postgress" (known: ${knownKinds().join(', ')})`,
      'targets[0].probe.timout: unknown field (did you mean "timeout"?)',
    ]);
  });

  it('lists probe, name and reference errors together once the schema passes', () => {
    const yaml = `
systems:
  - name: api
    layer: service
    kind: http
    depends_on: [db]
    members: [{ name: a1, probe: { kind: http, url: "ftp://10.0.0.1/" } }]
targets:
  - name: homepage
    probe: { kind: tcp, address: "nowhere" }
  - name: homepage
    probe: { kind: tcp, address: "h:80" }
slos:
  - name: s
    selector: { target: homepag }
    objective: 99.9
    window: 30d
alerting:
  receivers: [{ name: mail, email: { to: [oncall@example.com] } }]
  route: { receiver: mail }
`;
    assert.deepEqual(problems(yaml), [
      'systems[0].members[0].probe.url: must use http:// or https://, not ftp://',
      'targets[0].probe.address: must be host:port (IPv6 as [::1]:port)',
      'targets[1].name: duplicate target name "homepage" (first at index 0)',
      'systems[0].depends_on[0]: unknown system "db"',
      'slos[0].selector.target: unknown target "homepag"',
      'alerting.receivers[0].email: email needs the smtp section',
    ]);
  });
});
