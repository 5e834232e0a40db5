import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { problems } from './testing/problems';


const system = (name: string, dependsOn = '[]') => `
  - name: ${name}
    layer: storage
    kind: postgres
    depends_on: ${dependsOn}
    members: [{ name: m1, probe: { kind: tcp, address: "10.0.0.11:5432" } }]`;

const oneTarget = `
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1:8080/" }
`;

const slo = (selector: string, objective = '99.9', window = '30d') => `${oneTarget}
slos:
  - name: homepage-availability
    selector: ${selector}
    objective: ${objective}
    window: ${window}
`;

describe('config: names are unique', () => {
  it('reports a duplicate system, target and member name at the second one', () => {
    assert.deepEqual(problems(`systems:${system('orders-db')}${system('orders-db')}\n`), ['systems[1].name: duplicate system name "orders-db" (first at index 0)']);
    assert.deepEqual(problems(`${oneTarget}  - name: homepage\n    probe: { kind: tcp, address: "h:80" }\n`), [
      'targets[1].name: duplicate target name "homepage" (first at index 0)',
    ]);
    const twoMembers = `systems:${system('orders-db')}`.replace(
      'members: [{ name: m1, probe: { kind: tcp, address: "10.0.0.11:5432" } }]',
      'members: [{ name: m1, probe: { kind: tcp, address: "10.0.0.11:5432" } }, { name: m1, probe: { kind: tcp, address: "10.0.0.12:5432" } }]',
    );
    assert.deepEqual(problems(twoMembers), ['systems[0].members[1].name: duplicate member name "m1" (first at index 0)']);
  });

  it('refuses a target named like a system', () => {
    assert.deepEqual(problems(`systems:${system('homepage')}\n${oneTarget}`), ['targets[0].name: "homepage" is already the name of a system']);
  });
});

describe('config: depends_on', () => {
  it('refuses an unknown system', () => {
    assert.deepEqual(problems(`systems:${system('orders-api', '[orders-dbb]')}\n`), ['systems[0].depends_on[0]: unknown system "orders-dbb"']);
  });

  it('refuses a system that depends on itself', () => {
    assert.deepEqual(problems(`systems:${system('orders-db', '[orders-db]')}\n`), ['systems[0].depends_on[0]: a system cannot depend on itself']);
  });

  it('refuses a cycle and names it', () => {
    const yaml = `systems:${system('api', '[cache]')}${system('cache', '[db]')}${system('db', '[api]')}${system('edge', '[api]')}\n`;
    assert.deepEqual(problems(yaml), ['systems: depends_on forms a cycle: api → cache → db → api']);
  });

  it('accepts a chain that is not a cycle', () => {
    const c = parseConfig(`systems:${system('edge', '[api]')}${system('api', '[db]')}${system('db')}\n`, {});
    assert.deepEqual(c.systems.map((s) => s.dependsOn), [['api'], ['db'], []]);
  });
});

describe('config: SLOs', () => {
  it('needs exactly one of system, target or labels in the selector', () => {
    assert.deepEqual(problems(slo('{}')), ['slos[0].selector: must name exactly one of system, target or labels']);
    assert.deepEqual(problems(slo('{ target: homepage, labels: { team: web } }')), ['slos[0].selector: must name exactly one of system, target or labels']);
  });

  it('refuses an objective of 100 (no error budget) and of 0', () => {
    assert.deepEqual(problems(slo('{ target: homepage }', '100')), ['slos[0].objective: must be below 100 (100% leaves no error budget)']);
    assert.deepEqual(problems(slo('{ target: homepage }', '0')), ['slos[0].objective: must be above 0']);
  });

  it('refuses a selector naming an unknown target or system', () => {
    assert.deepEqual(problems(slo('{ target: homepge }')), ['slos[0].selector.target: unknown target "homepge"']);
    assert.deepEqual(problems(slo('{ system: orders-db }')), ['slos[0].selector.system: unknown system "orders-db"']);
  });

  it('accepts rolling and calendar windows and says which it wants otherwise', () => {
    assert.equal(parseConfig(slo('{ target: homepage }', '99.9', 'month'), {}).raw.slos[0].window, 'month');
    assert.equal(parseConfig(slo('{ target: homepage }', '99.9', '4w'), {}).raw.slos[0].window, '4w');
    assert.deepEqual(problems(slo('{ target: homepage }', '99.9', 'fortnight')), ['slos[0].window: must be a duration (e.g. 30d) or one of week, month, quarter']);
  });

  it('needs a threshold for a latency SLI', () => {
    const yaml = slo('{ target: homepage }').replace('    window: 30d', '    window: 30d\n    sli: { kind: latency }');
    assert.deepEqual(problems(yaml), ['slos[0].sli.threshold: a latency SLI needs threshold (e.g. 250ms)']);
  });
});

describe('config: alert routing', () => {
  const receivers = `
alerting:
  receivers:
    - name: oncall
      webhook: { url: "http://127.0.0.1:9000/hook" }
`;

  it('refuses a route to an unknown receiver, at any depth', () => {
    const yaml = `${oneTarget}${receivers}  route: { receiver: oncal, routes: [{ matchers: ['severity="page"'], receiver: pager }] }\n`;
    assert.deepEqual(problems(yaml), ['alerting.route.receiver: unknown receiver "oncal"', 'alerting.route.routes[0].receiver: unknown receiver "pager"']);
  });

  it('refuses matchers on the root route', () => {
    const yaml = `${oneTarget}${receivers}  route: { receiver: oncall, matchers: ['severity="page"'] }\n`;
    assert.deepEqual(problems(yaml), ['alerting.route.matchers: the root route matches every alert and cannot have matchers']);
  });

  it('needs a root route once receivers exist, and a receiver on it', () => {
    assert.deepEqual(problems(`${oneTarget}${receivers}`), ['alerting.route: is required when receivers are configured']);
    assert.deepEqual(problems(`${oneTarget}${receivers}  route: { group_by: [system] }\n`), ['alerting.route.receiver: the root route needs a receiver']);
  });

  it('refuses an email receiver without the smtp section', () => {
    const yaml = `${oneTarget}
alerting:
  receivers: [{ name: oncall, email: { to: [oncall@example.com] } }]
  route: { receiver: oncall }
`;
    assert.deepEqual(problems(yaml), ['alerting.receivers[0].email: email needs the smtp section']);
  });

  it('refuses a receiver with neither email nor webhook', () => {
    assert.deepEqual(problems(`${oneTarget}alerting:\n  receivers: [{ name: nobody }]\n  route: { receiver: nobody }\n`), ['alerting.receivers[0]: needs one of email, webhook, pagerduty, opsgenie, slack, teams, telegram, ntfy, twilio']);
  });

  it('refuses an unknown mute time interval', () => {
    const yaml = `${oneTarget}${receivers}  route: { receiver: oncall, routes: [{ receiver: oncall, mute_time_intervals: [weekends] }] }\n`;
    assert.deepEqual(problems(yaml), ['alerting.route.routes[0].mute_time_intervals[0]: unknown time interval "weekends"']);
  });
});
