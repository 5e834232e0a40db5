import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { problemsIfAny } from './testing/problems';

const problems = problemsIfAny;

const systems = `
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    members: [{ name: m1, probe: { kind: tcp, address: "10.0.0.11:5432" } }]
`;

describe('config: the public status page', () => {
  it('is off by default, titled "Service status"', () => {
    const c = parseConfig(systems, {});
    assert.deepEqual(c.raw.status_page, { enabled: false, title: 'Service status', systems: [] });
  });

  it('accepts known systems', () => {
    assert.deepEqual(problems(`${systems}status_page: { enabled: true, title: Orders, systems: [orders-db] }\n`), []);
  });

  it('refuses an unknown system and an enabled page with none', () => {
    assert.deepEqual(problems(`${systems}status_page: { enabled: true, systems: [orders-db, nope] }\n`), ['status_page.systems[1]: unknown system "nope"']);
    assert.deepEqual(problems(`${systems}status_page: { enabled: true }\n`), ['status_page.systems: must name at least one system when the status page is enabled']);
  });

  it('refuses unknown keys', () => {
    assert.ok(problems(`${systems}status_page: { enabled: true, systems: [orders-db], members: true }\n`).some((p) => p.startsWith('status_page')));
  });
});
