import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocationGate, type VoteBoard } from './location-gate';
import { feeds, parseVote, ruleFor, voteOf, type SettledVerdict, type Vote } from './location-votes';
import type { ProbeResult } from './observation';
import type { ProbeTarget } from './target';
import { applyResult, initialState, type TargetState, type TargetStatus } from './target-state';

const T: ProbeTarget = { key: 'web', name: 'web', intervalMs: 1000, timeoutMs: 500, labels: {}, probe: { kind: 'http' } };

/** Three locations sharing one in-memory board, as Redis would hold it. */
class Board {
  votes = new Map<string, Map<string, Vote>>();
  verdict?: { status: TargetStatus; since: number };
  down = false;
  live = new Set(['dc1', 'dc2', 'dc3']);
  for(location: string): VoteBoard {
    return {
      location,
      live: () => this.live,
      cast: async (target, vote, locations) => {
        if (this.down) throw new Error('connect ECONNREFUSED');
        if (vote) this.votes.set(location, new Map([[target, vote]]));
        return new Map(locations.flatMap((l) => (this.votes.get(l)?.get(target) ? [[l, this.votes.get(l)!.get(target)!] as const] : [])));
      },
      settle: async (_target, status, at): Promise<SettledVerdict> => {
        if (status === 'unknown') return this.verdict ? { ...this.verdict, changed: false } : { status: 'unknown', since: 0, changed: false };
        if (this.verdict?.status === status) return { ...this.verdict, changed: false };
        const previous = this.verdict?.status ?? 'unknown';
        this.verdict = { status, since: at };
        return { status, since: at, changed: true, previous };
      },
    };
  }
}

const clock = { now: () => NOW };
let NOW = 10_000;
const quiet = { warn: () => undefined };

/** One location's engine: thresholds applied to its own results, then the gate. */
function location(board: Board, name: string) {
  let state: TargetState = initialState();
  const gate = new LocationGate(board.for(name), clock, quiet);
  return {
    gate,
    async probe(up: boolean, reason?: string) {
      const r: ProbeResult = { up, reason, targetKey: T.key, scheduledAt: NOW, startedAt: NOW, durationMs: 5 };
      state = applyResult(state, r, { failure: 1, recovery: 1 }).state;
      return gate.judge(T, r, state);
    },
  };
}

describe('votes', () => {
  it('a location votes its thresholded state, and says why when down; undecided is no vote', () => {
    const r: ProbeResult = { up: false, reason: 'timeout after 500ms', targetKey: 'web', scheduledAt: 5, startedAt: 5, durationMs: 500, leader: 'lb1', role: 'primary' };
    assert.equal(voteOf(initialState(), r), undefined);
    assert.deepEqual(voteOf({ status: 'down', since: 5, consecutiveFailures: 1, consecutiveSuccesses: 0, firstFailureAt: 4 }, r), { up: false, at: 5, reason: 'timeout after 500ms', leader: 'lb1', role: 'primary', firstFailureAt: 4 });
    assert.deepEqual(parseVote(JSON.stringify({ up: true, at: 7, reason: 3 })), { up: true, at: 7 });
    for (const bad of [null, '', 'nope', '{"up":"yes","at":1}', '{"up":true}', '{"up":true,"at":"1"}']) assert.equal(parseVote(bad), undefined, String(bad));
  });

  it('default rule: every live location, a majority of them', () => {
    assert.deepEqual(ruleFor({}, new Set(['dc3', 'dc1', 'dc2'])), { locations: ['dc1', 'dc2', 'dc3'], quorum: 2 });
    assert.deepEqual(ruleFor({}, new Set(['dc1', 'dc2'])), { locations: ['dc1', 'dc2'], quorum: 2 });
    assert.deepEqual(ruleFor({ locations: ['a', 'b', 'c', 'd', 'e'], quorum: 4 }, new Set()), { locations: ['a', 'b', 'c', 'd', 'e'], quorum: 4 });
  });

  it('one location feeds at a time: the one that tipped the verdict, else the first that agrees', () => {
    const verdict = { state: 'down' as const, down: ['dc2', 'dc3'], up: ['dc1'], missing: [], quorum: 2 };
    const rule = { locations: ['dc1', 'dc2', 'dc3'] };
    const settled = (changed: boolean): SettledVerdict => ({ status: 'down', since: 1, changed });
    const down: Vote = { up: false, at: 1 };
    assert.equal(feeds('dc3', down, settled(true), verdict, rule), true, 'tipped it');
    assert.equal(feeds('dc2', down, settled(false), verdict, rule), true, 'first agreeing');
    assert.equal(feeds('dc3', down, settled(false), verdict, rule), false);
    assert.equal(feeds('dc1', { up: true, at: 1 }, settled(false), verdict, rule), false, 'disagrees');
    assert.equal(feeds('dc1', undefined, settled(false), verdict, rule), false, 'no vote');
  });
});

describe('the gate between a location and the rest of Nines', () => {
  it('a failure seen from one location is a warning there; the second location down tips the verdict, once', async () => {
    NOW = 10_000;
    const board = new Board();
    const [a, b, c] = ['dc1', 'dc2', 'dc3'].map((l) => location(board, l));
    for (const l of [a, b, c]) await l.probe(true);
    assert.equal(board.verdict?.status, 'up');
    NOW += 1000;
    const first = await a.probe(false, 'connection refused');
    assert.deepEqual([first.state.status, first.feed, first.transition], ['up', false, undefined], 'dc1 alone: no verdict, not fed');
    assert.equal(first.result.up, true, 'the row and metrics keep the verdict');
    const second = await b.probe(false, 'connection refused');
    assert.equal(second.state.status, 'down');
    assert.deepEqual(second.transition, { from: 'up', to: 'down', at: NOW });
    assert.equal(second.feed, true);
    assert.equal(second.state.firstFailureAt, NOW, 'RTO from the first failure anywhere');
    const third = await c.probe(true);
    assert.deepEqual([third.feed, third.transition, third.result.up, third.result.reason], [false, undefined, false, 'down from dc1 (connection refused), dc2 (connection refused)']);
    NOW += 1000;
    const again = await a.probe(false, 'connection refused');
    assert.deepEqual([again.feed, again.transition], [true, undefined], 'dc1 is first of those who agree');
    assert.deepEqual(c.gate.state('web')?.status, 'down', 'metrics of every location show the verdict');
    // dc2 agrees but dc1 comes first: dc2 only votes now, so when it next passes a result on, what it cached is old.
    assert.deepEqual((await b.probe(false, 'connection refused')).feed, false);
    NOW += 1000;
    const back = await c.probe(true);
    assert.deepEqual([back.feed, back.resumed, back.state.status], [false, false, 'down'], 'one location up is no recovery');
    const recovered = await b.probe(true);
    assert.deepEqual([recovered.transition?.to, recovered.feed, recovered.resumed], ['up', true, true], 'dc2 passes on again after dc1 did: resumed');
    const next = await a.probe(true);
    assert.deepEqual([next.feed, next.resumed], [true, false], 'dc1 went on passing results on');
  });

  it('a lapsed location is not counted, and the board away leaves each location on its own view', async () => {
    NOW = 50_000;
    const board = new Board();
    const [a, b] = ['dc1', 'dc2'].map((l) => location(board, l));
    board.live = new Set(['dc1', 'dc2']);
    await a.probe(true);
    await b.probe(true);
    NOW += 1000;
    const d = await a.probe(false, 'timeout');
    assert.equal(d.state.status, 'up', 'two locations: both must agree');
    board.down = true;
    const alone = await b.probe(false, 'timeout');
    assert.deepEqual([alone.alone, alone.feed, alone.state.status], [true, true, 'down']);
  });
});
