import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitions, quorumVerdict, splitBrainFromOutside, type LocationVote } from './quorum';

const NOW = 1_000_000;
const live = new Set(['dc1', 'dc2', 'dc3']);
const rule = { locations: ['dc1', 'dc2', 'dc3'], quorum: 2 };
const vote = (location: string, up: boolean, ago = 0, reason?: string): LocationVote => ({ location, up, at: NOW - ago, reason });

describe('quorum verdicts', () => {
  it('down only when the quorum of locations agrees; one location down is a warning naming it and why', () => {
    assert.equal(quorumVerdict(rule, [vote('dc1', true), vote('dc2', true), vote('dc3', true)], live, NOW, 5000).state, 'up');
    const one = quorumVerdict(rule, [vote('dc1', true), vote('dc2', false, 0, 'connection refused'), vote('dc3', true)], live, NOW, 5000);
    assert.equal(one.state, 'up');
    assert.equal(one.warning, 'down from dc2 (connection refused); up from dc1, dc3');
    const two = quorumVerdict(rule, [vote('dc1', false), vote('dc2', false), vote('dc3', true)], live, NOW, 5000);
    assert.deepEqual([two.state, two.down, two.up], ['down', ['dc1', 'dc2'], ['dc3']]);
  });

  it('the latest vote of a location counts; stale votes and lapsed locations are dropped, not counted as up or down', () => {
    const v = quorumVerdict(rule, [vote('dc1', true, 3000), vote('dc1', false, 100), vote('dc2', false, 9000), vote('dc3', false)], new Set(['dc1', 'dc2']), NOW, 5000);
    assert.deepEqual(v.missing, ['dc2', 'dc3'], 'dc2 is stale, dc3 lapsed');
    // Only dc1 can vote: the quorum shrinks to the locations that can, so dc1 alone decides.
    assert.deepEqual([v.state, v.quorum, v.down], ['down', 1, ['dc1']]);
    assert.equal(quorumVerdict(rule, [], live, NOW, 5000).state, 'unknown');
  });

  it('with two of three locations voting, both must agree', () => {
    const v = quorumVerdict(rule, [vote('dc1', false), vote('dc2', true)], new Set(['dc1', 'dc2']), NOW, 5000);
    assert.deepEqual([v.state, v.quorum], ['up', 2]);
    assert.match(v.warning!, /^down from dc1; up from dc2$/);
  });
});

describe('partitions and split brain seen from outside', () => {
  it('a location that loses most of its targets while the others reach them is one partition event', () => {
    const targets = ['a', 'b', 'c', 'd', 'e', 'f'];
    const found = partitions([
      { location: 'dc1', down: [], up: targets },
      { location: 'dc2', down: ['a', 'b', 'c', 'd'], up: ['e', 'f'] },
      { location: 'dc3', down: [], up: targets },
    ]);
    assert.deepEqual(found.map((p) => [p.location, p.unreachable]), [['dc2', ['a', 'b', 'c', 'd']]]);
    assert.equal(found[0].message, 'dc2 cannot reach 4 of its 6 targets that other locations reach: a, b, c, d');
  });

  it('a real outage seen everywhere is not a partition, nor are a few targets down from one place', () => {
    assert.deepEqual(partitions([
      { location: 'dc1', down: ['a', 'b', 'c'], up: ['d'] },
      { location: 'dc2', down: ['a', 'b', 'c'], up: ['d'] },
    ]), []);
    assert.deepEqual(partitions([
      { location: 'dc1', down: ['a', 'b'], up: ['c', 'd', 'e'] },
      { location: 'dc2', down: [], up: ['a', 'b', 'c', 'd', 'e'] },
    ]), []);
  });

  it('two locations seeing two VIP holders is split brain, even when each sees one; stale views do not count', () => {
    const s = splitBrainFromOutside('edge-vip', [
      { location: 'dc1', holder: 'lb1', at: NOW },
      { location: 'dc2', holder: 'lb2', at: NOW - 500 },
      { location: 'dc3', holder: 'lb1', at: NOW },
    ], NOW, 5000);
    assert.deepEqual(s?.holders, { lb1: ['dc1', 'dc3'], lb2: ['dc2'] });
    assert.equal(s?.message, 'split brain seen from outside on edge-vip: dc1, dc3 see lb1; dc2 sees lb2');
    assert.equal(splitBrainFromOutside('edge-vip', [{ location: 'dc1', holder: 'lb1', at: NOW }, { location: 'dc2', holder: 'lb2', at: NOW - 9000 }], NOW, 5000), undefined);
    assert.equal(splitBrainFromOutside('edge-vip', [{ location: 'dc1', holder: 'lb1', at: NOW }, { location: 'dc2', at: NOW }], NOW, 5000), undefined);
  });
});
