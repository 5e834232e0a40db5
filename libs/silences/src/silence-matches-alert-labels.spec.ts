import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatMatcher } from '../../config/src/matchers';
import { isSilenced } from './silence';

const billing = { matchers: [{ name: 'system', op: '=' as const, value: 'billing' }] };
const warnings = { matchers: [{ name: 'severity', op: '=~' as const, value: 'warning|info' }, { name: 'team', op: '!=' as const, value: 'db' }] };

describe('silence matching (Alertmanager semantics)', () => {
  it('mutes an alert when every matcher of one silence holds', () => {
    assert.equal(isSilenced([billing], { alertname: 'SystemDown', system: 'billing' }), true);
    assert.equal(isSilenced([billing, warnings], { alertname: 'MemberDown', system: 'orders-db', severity: 'warning' }), true);
  });

  it('lets an alert through when no silence matches it entirely', () => {
    assert.equal(isSilenced([warnings], { severity: 'warning', team: 'db' }), false);
    assert.equal(isSilenced([], { system: 'billing' }), false);
  });

  it('anchors regexes and treats a missing label as empty', () => {
    assert.equal(isSilenced([warnings], { severity: 'warnings' }), false);
    assert.equal(isSilenced([warnings], { severity: 'info' }), true);
  });

  it('shows matchers as they were written', () => {
    assert.deepEqual(warnings.matchers.map(formatMatcher), ['severity=~"warning|info"', 'team!="db"']);
  });
});
