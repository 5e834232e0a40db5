import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../matchers';
import { routeMuted, suppressor } from './mute';
import { H, member, T0 } from './dispatch-fixtures';

const inhibit = [{ source: compile(['alertname="SystemDown"']), target: compile(['severity=~"warning|info"']), equal: ['system'] }];
const systemDown = member('SystemDown');
const memberDown = member('MemberDown');
const none = { silences: [], firing: [], inhibit: [], incidents: [] };

describe('muting (silences, inhibition, incident impact, time intervals)', () => {
  it('lets an alert through when nothing mutes it', () => {
    assert.equal(suppressor(none)(memberDown), false);
  });

  it('holds an alert a silence matches, and only that one', () => {
    const s = suppressor({ ...none, silences: [{ matchers: compile(['alertname="MemberDown"']) }] });
    assert.equal(s(memberDown), true);
    assert.equal(s(systemDown), false);
  });

  it('holds a warning while its system is down, but not on another system', () => {
    const s = suppressor({ ...none, firing: [systemDown], inhibit });
    assert.equal(s(memberDown), true);
    assert.equal(s({ ...memberDown, fingerprint: 'other', labels: { ...memberDown.labels, system: 'billing' } }), false);
    assert.equal(s(systemDown), false, 'the source does not inhibit itself');
  });

  it('holds an alert that is impact of an incident rooted in another system', () => {
    const web = member('SystemDown', { fingerprint: 'fp-web', labels: { alertname: 'SystemDown', system: 'web' }, incidentId: 9 });
    assert.equal(suppressor({ ...none, incidents: [{ id: 9, rootSystem: 'orders-db', acknowledged: false }] })(web), true);
    assert.equal(suppressor({ ...none, incidents: [{ id: 9, rootSystem: 'web', acknowledged: false }] })(web), false);
  });

  it('mutes a route inside its time interval only', () => {
    const intervals = new Map([['nights', [{ times: ['22:00-06:00'] }]]]);
    assert.equal(routeMuted(T0 + 13 * H, { muteTimeIntervals: ['nights'] }, intervals), 'nights'); // 23:00 UTC
    assert.equal(routeMuted(T0, { muteTimeIntervals: ['nights'] }, intervals), undefined); // 10:00 UTC
    assert.equal(routeMuted(T0 + 13 * H, { muteTimeIntervals: [] }, intervals), undefined);
  });
});
