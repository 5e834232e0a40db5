import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NotifyError } from '../../../../libs/notify/src/notification';
import { backoffMs } from './delivery.service';
import { DELIVERY_ATTEMPTS } from './notification-queue';

describe('delivery backoff: exponential with jitter, Retry-After wins', () => {
  it('doubles per attempt, between half and the whole of the cap', () => {
    for (const [attempts, cap] of [[1, 1000], [2, 2000], [3, 4000], [4, 8000], [6, 32_000]] as const) {
      assert.equal(backoffMs(attempts, new Error('x'), () => 0), cap / 2, `attempt ${attempts}, lowest`);
      assert.equal(backoffMs(attempts, new Error('x'), () => 0.999999), Math.round(cap / 2 + 0.999999 * (cap / 2)), `attempt ${attempts}, highest`);
    }
  });

  it('is capped at a minute however many attempts, so a receiver back from an outage gets its notifications within one', () => {
    assert.equal(backoffMs(30, new Error('x'), () => 1), 60_000);
    assert.equal(backoffMs(1000, new Error('x'), () => 0), 30_000);
    assert.equal(backoffMs(7, new Error('x'), () => 0.999999) <= 60_000, true);
  });

  it('all attempts together retry for 7.5 to 15 minutes before the dead letter', () => {
    const span = (r: number) => Array.from({ length: DELIVERY_ATTEMPTS - 1 }, (_, i) => backoffMs(i + 1, new Error('x'), () => r)).reduce((a, b) => a + b, 0);
    assert.ok(span(0) >= 7 * 60_000 && span(0) <= 8 * 60_000, String(span(0)));
    assert.ok(span(0.999999) >= 14 * 60_000 && span(0.999999) <= 15.5 * 60_000, String(span(0.999999)));
  });

  it('jitters: retries of many notifications spread instead of stampeding', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffMs(5, new Error('x'))));
    assert.ok(seen.size > 25, `only ${seen.size} distinct delays`);
    for (const d of seen) assert.ok(d >= 8000 && d <= 16_000, String(d));
  });

  it('a receiver’s Retry-After is honoured as given (even below the backoff), capped at an hour', () => {
    assert.equal(backoffMs(1, new NotifyError('429', true, 2000, 429)), 2000);
    assert.equal(backoffMs(7, new NotifyError('503', true, 5000, 503)), 5000);
    assert.equal(backoffMs(1, new NotifyError('429', true, 0, 429)), 0);
    assert.equal(backoffMs(1, new NotifyError('429', true, 86_400_000, 429)), 3_600_000);
  });

  it('without Retry-After a NotifyError backs off like any error', () => {
    assert.equal(backoffMs(3, new NotifyError('500', true, undefined, 500), () => 0), 2000);
  });
});
