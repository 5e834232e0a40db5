import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChange } from './change-feed';
import { targetChange } from './target-change';
import type { ProbeTarget } from '../../probes/src/target';

const target = (extra: Partial<ProbeTarget> = {}): ProbeTarget => ({ key: 'homepage', name: 'homepage', intervalMs: 10_000, timeoutMs: 3000, labels: {}, probe: { kind: 'http' }, ...extra });
const result = { up: false, reason: 'status 503', targetKey: 'homepage', scheduledAt: 1_000, startedAt: 1_001, durationMs: 12.345 };

test('a standalone target going down is announced with the card the console shows', () => {
  const c = targetChange(target(), { status: 'down', since: Date.UTC(2026, 11, 7), consecutiveFailures: 2, consecutiveSuccesses: 0, lastResult: result }, 5_000);
  assert.deepEqual(c, {
    kind: 'target',
    name: 'homepage',
    at: 5_000,
    card: { name: 'homepage', kind: 'http', state: 'down', since: '2026-12-07T00:00:00.000Z', latency_ms: 12.3, reason: 'status 503' },
  });
  // What the channel carries comes back the same through the parser.
  assert.deepEqual(parseChange(JSON.stringify(c)), c);
});

test('the reason is only shown while down; members are left to their system', () => {
  const up = targetChange(target(), { status: 'up', since: 2_000, consecutiveFailures: 0, consecutiveSuccesses: 1, lastResult: { ...result, up: true, reason: 'stale' } }, 3_000);
  assert.equal(up?.kind === 'target' && 'reason' in up.card, false);
  assert.equal(targetChange(target({ key: 'db/pg1', system: 'db', member: 'pg1' }), { status: 'down', since: 1, consecutiveFailures: 1, consecutiveSuccesses: 0 }, 1), undefined);
});

test('a malformed target announcement is not ours', () => {
  const good = { kind: 'target', at: 1, card: { name: 'a', kind: 'http', state: 'down', since: null, latency_ms: null } };
  assert.ok(parseChange(JSON.stringify(good)));
  for (const card of [undefined, 'x', { ...good.card, name: 7 }, { ...good.card, latency_ms: 'slow' }, { ...good.card, since: 5 }, { ...good.card, reason: {} }])
    assert.equal(parseChange(JSON.stringify({ ...good, card })), undefined, JSON.stringify(card));
});
