import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { cronError } from './cron';
import { parseMatcher } from './matchers';
import { problems } from './testing/problems';


const base = `
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1:8080/" }
alerting:
  receivers: [{ name: oncall, webhook: { url: "http://127.0.0.1:9000/hook" } }]
`;

describe('config: matcher syntax', () => {
  it('refuses a matcher that is not name op value, at its path', () => {
    const yaml = `${base}  route: { receiver: oncall, routes: [{ receiver: oncall, matchers: ['severity page'] }] }\n`;
    assert.deepEqual(problems(yaml), [`alerting.route.routes[0].matchers[0]: is not a matcher list: at column 10: unexpected "page"; expected an operator such as '=', '!=', '=~' or '!~'`]);
  });

  it('refuses a regex matcher whose regex does not compile', () => {
    const yaml = `${base}  route: { receiver: oncall }\n  inhibit_rules: [{ source_matchers: ['alertname="SystemDown"'], target_matchers: ['team=~"(db"'] }]\n`;
    assert.deepEqual(problems(yaml), ['alerting.inhibit_rules[0].target_matchers[0]: is not a matcher list: at column 7: invalid regular expression "(db": missing closing ): `(db`']);
  });

  it('parses the four operators, quoted and bare values, and escapes', () => {
    assert.deepEqual(parseMatcher('severity="page"'), { name: 'severity', op: '=', value: 'page' });
    assert.deepEqual(parseMatcher('team != web'), { name: 'team', op: '!=', value: 'web' });
    assert.deepEqual(parseMatcher('team=~"db|web"'), { name: 'team', op: '=~', value: 'db|web' });
    assert.deepEqual(parseMatcher('system!~"test-.*"'), { name: 'system', op: '!~', value: 'test-.*' });
    assert.deepEqual(parseMatcher('summary="say \\"hi\\""'), { name: 'summary', op: '=', value: 'say "hi"' });
    assert.deepEqual(parseMatcher('silenced=""'), { name: 'silenced', op: '=', value: '' });
    for (const bad of ['', '=page', 'a=="x"', 'a="unterminated']) assert.equal(typeof parseMatcher(bad), 'string', bad);
  });
});

describe('config: cron', () => {
  const weekly = (cron: string, tz = 'UTC') => `${base}  route: { receiver: oncall }
smtp: { url: "smtp://127.0.0.1:2525", from: "nines@example.com" }
reports: { weekly: { cron: "${cron}", timezone: ${tz}, to: [sre@example.com] } }
`;

  it('refuses an out-of-range field, naming it', () => {
    assert.deepEqual(problems(weekly('0 25 * * 1')), ['reports.weekly.cron: hour 25 is out of range 0-23']);
  });

  it('refuses the wrong number of fields', () => {
    assert.deepEqual(problems(weekly('0 9 * *')), ['reports.weekly.cron: must have 5 fields (minute hour day-of-month month day-of-week), got 4']);
  });

  it('accepts lists, ranges and steps, and refuses a zero step or a word', () => {
    assert.equal(cronError('*/15 8-18 1,15 * 1-5'), undefined);
    assert.equal(cronError('0 9 * * 7'), undefined);
    assert.equal(cronError('*/0 * * * *'), 'minute step must be positive');
    assert.equal(cronError('0 9 * * MON'), 'day of week field "MON" is not valid');
    assert.equal(cronError('0 9 0 * *'), 'day of month 0 is out of range 1-31');
  });

  it('refuses reports without smtp', () => {
    const yaml = `${base}  route: { receiver: oncall }\nreports: { weekly: { cron: "0 9 * * 1", to: [sre@example.com] } }\n`;
    assert.deepEqual(problems(yaml), ['reports.weekly: sending reports needs the smtp section']);
  });

  it('refuses an unknown time zone and accepts IANA names', () => {
    assert.deepEqual(problems(weekly('0 9 * * 1', 'Mars/Olympus_Mons')), ['reports.weekly.timezone: is not a known IANA time zone (e.g. UTC, Europe/Berlin, Asia/Tokyo)']);
    assert.equal(parseConfig(weekly('0 9 * * 1', 'Europe/Berlin'), {}).raw.reports.weekly?.timezone, 'Europe/Berlin');
  });

  it('refuses an unknown time zone on an SLO too', () => {
    const yaml = `${base}  route: { receiver: oncall }
slos: [{ name: s, selector: { target: homepage }, objective: 99.9, window: month, timezone: Europe/Atlantis }]
`;
    assert.deepEqual(problems(yaml), ['slos[0].timezone: is not a known IANA time zone (e.g. UTC, Europe/Berlin, Asia/Tokyo)']);
  });
});
