import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../config/src/config';
import { mergeOnCall, referrersOf, validateDefinition, type ApiDefinition, type OnCallKind, type OnCallSpec } from './api-definitions';

const config = parseConfig(`
people: [ { name: alice, email: alice@example.com }, { name: bob, phone: "+15550101" } ]
schedules: [ { name: primary, layers: [ { rotation: weekly, start: "2026-11-30 09:00", participants: [alice] } ] } ]
escalation_policies: [ { name: db-page, steps: [ { notify: { schedule: primary } } ] } ]
alerting:
  receivers:
    - { name: hook, webhook: { url: "http://127.0.0.1:9/x", allow_private: true } }
    - { name: phones, twilio: { account_sid: AC0123456789abcdef0123456789abcdef, auth_token: tok, from: "+15550199" } }
  route: { receiver: hook, routes: [ { matchers: ['severity="page"'], escalation_policy: api-page } ] }
`, {}).raw;

const row = (kind: OnCallKind, spec: OnCallSpec): ApiDefinition => ({ kind, name: spec.name, spec, created_at: '', created_by: 't', updated_at: '', updated_by: 't' });
const api: ApiDefinition[] = [
  row('person', { name: 'carol', phone: '+15550102', telegram: '42', via: { phone: 'phones' } }),
  row('schedule', { name: 'api-rota', timezone: 'UTC', layers: [{ rotation: 'daily', start: '2026-11-30 09:00', participants: ['carol', 'alice'] }], overrides: [] }),
  row('escalation_policy', { name: 'api-page', steps: [{ notify: { schedule: 'api-rota' }, after: '5m' }, { notify: { person: 'bob' }, after: '5m' }], repeat: 0 }),
];
const problems = (kind: OnCallKind, input: unknown) => validateDefinition(kind, input, config, api).issues.map((i) => `${i.path}: ${i.message}`);

describe('on-call entries made over the API are checked as the config checks them', () => {
  it('a valid entry comes back with the config schema defaults filled in', () => {
    const v = validateDefinition('escalation_policy', { name: 'p2', steps: [{ notify: { person: 'carol' } }] }, config, api);
    assert.deepEqual(v.issues, []);
    assert.deepEqual(v.spec, { name: 'p2', steps: [{ notify: { person: 'carol' }, after: '5m' }], repeat: 0 });
  });

  it('shapes: each problem names its field from the entry, with the reason', () => {
    assert.deepEqual(problems('person', { name: 'dave', phone: '555-0100', colour: 'red' }).sort(), ['colour: unknown field (known fields: name, email, phone, slack, telegram, notification_rules, via)', 'phone: must be an E.164 number like +15550100']);
    assert.deepEqual(problems('schedule', { name: 's', layers: [{ rotation: 'fortnightly', start: '2026-11-30 09:00', participants: ['alice'] }] }), ['layers[0].rotation: must be daily, weekly or { every: 12h }']);
    assert.deepEqual(problems('escalation_policy', { name: 'p', steps: [] }), ['steps: needs at least one step']);
    assert.ok(problems('person', 'alice').length > 0, 'a body that is not an object');
    assert.ok(problems('person', {}).some((p) => p.startsWith('name: ')));
  });

  it('references resolve against the config and the API together; a schedule must compile', () => {
    assert.deepEqual(problems('schedule', { name: 's', layers: [{ rotation: 'daily', start: '2026-11-30 09:00', participants: ['carol', 'zed'] }] }), ['layers[0].participants[1]: unknown person "zed" (define them under people)']);
    assert.deepEqual(problems('schedule', { name: 's', timezone: 'UTC', layers: [{ rotation: 'daily', handoff: 'mon 09:00', start: '2026-11-30 09:00', participants: ['alice'] }] }), ['layers[0].handoff: a weekday in the handoff needs rotation: weekly']);
    assert.deepEqual(problems('escalation_policy', { name: 'p', steps: [{ notify: { schedule: 'nope' } }, { notify: { receiver: 'pd' } }, { notify: { person: 'carol' } }] }), ['steps[0].notify.schedule: unknown schedule "nope"', 'steps[1].notify.receiver: unknown receiver "pd"']);
    assert.deepEqual(problems('person', { name: 'dave', phone: '+15550103', via: { phone: 'hook' } }), ['via.phone: receiver "hook" has no twilio settings']);
  });

  it('an entry replacing the API one of its name is checked without it (a PUT)', () => {
    assert.deepEqual(problems('schedule', { name: 'api-rota', layers: [{ rotation: 'weekly', start: '2026-11-30 09:00', participants: ['bob'] }] }), []);
  });

  it('merged: the config first, then the API; a name both have is the config\'s; the same inputs give the same view', () => {
    const clash = [...api, row('person', { name: 'alice', email: 'other@example.com' })];
    const m = mergeOnCall(config, clash);
    assert.deepEqual(m.people.map((p) => p.name), ['alice', 'bob', 'carol']);
    assert.equal(m.people[0].email, 'alice@example.com');
    assert.deepEqual([...m.fromApi.keys()].sort(), ['escalation_policy/api-page', 'person/carol', 'schedule/api-rota']);
    assert.equal(mergeOnCall(config, clash), m, 'memoized per (config, rows)');
    assert.notEqual(mergeOnCall(config, [...clash]), m);
  });

  it('who still names an entry: policies, schedules and config routes', () => {
    const m = mergeOnCall(config, api);
    assert.deepEqual(referrersOf('person', 'carol', m), ['schedule "api-rota"']);
    assert.deepEqual(referrersOf('person', 'bob', m), ['escalation policy "api-page" (steps[1].notify.person)']);
    assert.deepEqual(referrersOf('schedule', 'api-rota', m), ['escalation policy "api-page" (steps[0].notify.schedule)']);
    assert.deepEqual(referrersOf('escalation_policy', 'api-page', m, config.alerting.route), ['route alerting.route.routes[0] (config)']);
    assert.deepEqual(referrersOf('escalation_policy', 'db-page', m, config.alerting.route), []);
  });
});
