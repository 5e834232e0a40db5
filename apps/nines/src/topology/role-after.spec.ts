import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { roleAfter } from './systems.service';

/** The system page's role history: the role each event leaves its member in. */
describe('roleAfter', () => {
  const ev = (kind: string, member: string | null, message = '', details: Record<string, unknown> = {}) => ({ kind, member, message, details });

  it('a member down is down; one back answers with the role it reports', () => {
    assert.equal(roleAfter(ev('member_down', 'pg1')), 'down');
    assert.equal(roleAfter(ev('member_up', 'pg1', '', { role: 'replica' })), 'replica');
    assert.equal(roleAfter(ev('member_up', 'pg1')), 'up');
  });

  it('role changes and promotions leave the new role; a rejoin its role', () => {
    assert.equal(roleAfter(ev('promoted', 'pg2', '', { from: 'replica', to: 'primary' })), 'primary');
    assert.equal(roleAfter(ev('demoted', 'pg1', '', { from: 'primary', to: 'replica' })), 'replica');
    assert.equal(roleAfter(ev('rejoined', 'pg1', '', { role: 'replica', was: 'primary' })), 'replica');
  });

  it('a new leader takes the role its message names (primary, leader, master); system-wide events have none', () => {
    assert.equal(roleAfter(ev('leader_changed', 'pg2', 'db: pg2 is the new primary (was pg1)')), 'primary');
    assert.equal(roleAfter(ev('leader_changed', 'e2', 'etcd: e2 is the new leader (was e1)')), 'leader');
    assert.equal(roleAfter(ev('no_primary', null, 'db: no primary (lost pg1)')), undefined);
    assert.equal(roleAfter(ev('epoch_changed', 'pg2', '', { from: '1', to: '2' })), undefined);
  });
});
