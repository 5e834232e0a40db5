import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { problemsIfAny } from './testing/problems';

const problems = problemsIfAny;

const base = `
people:
  - { name: alice, email: alice@example.com, phone: "+15550100", slack: U0123, telegram: "1234" }
  - { name: bob, email: bob@example.com }
alerting:
  receivers: [ { name: hook, webhook: { url: "http://127.0.0.1:9/x", allow_private: true } } ]
  route: { receiver: hook, routes: [ { matchers: ['severity="page"'], escalation_policy: db-page } ] }
`;

describe('config: on-call people, schedules and escalation policies', () => {
  it("PRODUCT.md's schedule, override and policy load", () => {
    const yaml = `${base}
schedules:
  - name: primary
    timezone: Europe/Berlin
    layers: [ { rotation: weekly, handoff: "mon 09:00", start: "2026-11-30 09:00", participants: [alice, bob], restrict: "mon-fri 08:00-18:00" } ]
    overrides: [ { person: bob, from: "2026-12-24T18:00:00+01:00", until: "2026-12-27T09:00:00+01:00" } ]
  - name: nights
    layers: [ { rotation: { every: 12h }, start: "2026-11-30 20:00", participants: [bob] } ]
escalation_policies:
  - name: db-page
    steps: [ { notify: { schedule: primary }, after: 5m }, { notify: { person: bob }, after: 10m }, { notify: { receiver: hook }, after: 10m } ]
    repeat: 2
heartbeats: [ { name: nightly-backup, period: 24h, grace: 30m, labels: { team: db } } ]
self_heartbeat: { url: "https://other-monitor.example/ping/nines", interval: 30s }
`;
    assert.deepEqual(problems(yaml), []);
  });

  it('names every wrong reference and every schedule field it cannot read', () => {
    const yaml = `${base}
schedules:
  - name: primary
    timezone: Europe/Berlin
    layers:
      - { rotation: daily, handoff: "mon 09:00", start: "2026-11-30 09:00", participants: [alice] }
      - { rotation: weekly, start: "2026-11-30 09:00", participants: [alice, carol] }
    overrides: [ { person: dave, from: "2026-12-24T18:00:00+01:00", until: "2026-12-27T09:00:00+01:00" } ]
escalation_policies:
  - name: other
    steps: [ { notify: { schedule: secondary } }, { notify: { person: erin } }, { notify: { receiver: pd } } ]
`;
    assert.deepEqual(problems(yaml).sort(), [
      'escalation_policies[0].steps[0].notify.schedule: unknown schedule "secondary"',
      'escalation_policies[0].steps[1].notify.person: unknown person "erin"',
      'escalation_policies[0].steps[2].notify.receiver: unknown receiver "pd"',
      'schedules[0].layers[0].handoff: a weekday in the handoff needs rotation: weekly',
      'schedules[0].layers[1].participants[1]: unknown person "carol" (define them under people)',
      'schedules[0].overrides[0].person: unknown person "dave"',
    ].sort());
  });

  it('a route may name an escalation policy the config does not define: it may be made over the API', () => {
    assert.deepEqual(problems(base), []);
  });

  it('shapes first: a rotation it does not know, a step naming two targets', () => {
    const yaml = `${base}
schedules: [ { name: s, layers: [ { rotation: fortnightly, start: "2026-11-30 09:00", participants: [bob] } ] } ]
escalation_policies: [ { name: db-page, steps: [ { notify: { person: bob, schedule: s } } ] } ]
`;
    assert.deepEqual(problems(yaml).sort(), ['escalation_policies[0].steps[0].notify: name exactly one of schedule, person or receiver', 'schedules[0].layers[0].rotation: must be daily, weekly or { every: 12h }']);
  });

  it('a duplicate schedule name and a bad phone number are reported where they are', () => {
    const yaml = `
people: [ { name: alice, phone: "555-0100" } ]
schedules:
  - { name: s, layers: [ { rotation: daily, start: "2026-11-30 09:00", participants: [alice] } ] }
  - { name: s, layers: [ { rotation: daily, start: "2026-11-30 09:00", participants: [alice] } ] }
`;
    assert.deepEqual(problems(yaml), ['people[0].phone: must be an E.164 number like +15550100']);
    assert.deepEqual(problems(yaml.replace('555-0100', '+15550100')), ['schedules[1].name: duplicate schedule "s" (first at index 0)']);
  });
});
