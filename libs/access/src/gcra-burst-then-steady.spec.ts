import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcra } from './rate-limit';

function run(limit: number, times: number[]): boolean[] {
  let tat: number | undefined;
  return times.map((now) => {
    const r = gcra(tat, now, limit);
    tat = r.tat;
    return r.decision.allowed;
  });
}

describe('gcra', () => {
  it('allows a full minute of requests at once, then refuses with the wait until the next slot', () => {
    let tat: number | undefined;
    for (let i = 0; i < 60; i++) {
      const r = gcra(tat, 1000, 60);
      assert.equal(r.decision.allowed, true, `request ${i}`);
      tat = r.tat;
    }
    const refused = gcra(tat, 1000, 60);
    assert.equal(refused.decision.allowed, false);
    assert.equal(refused.decision.retryAfterMs, 1000);
    assert.equal(refused.tat, tat, 'a refused request does not push the window further');
    assert.equal(gcra(tat, 2000, 60).decision.allowed, true, 'one slot frees every 60/limit seconds');
  });

  it('lets a steady rate at the limit through forever', () => {
    const times = Array.from({ length: 500 }, (_, i) => i * 500); // 120 a minute
    assert.deepEqual(run(120, times), times.map(() => true));
  });

  it('refuses a steady rate above the limit once the burst is spent', () => {
    const times = Array.from({ length: 300 }, (_, i) => i * 250); // 240 a minute against 120
    const allowed = run(120, times).filter(Boolean).length;
    // 120 of burst plus one every 500 ms over the 75 s run.
    assert.ok(allowed >= 265 && allowed <= 272, `allowed ${allowed}`);
  });

  it('forgets old bursts: a key idle for a minute has its whole burst again', () => {
    let tat: number | undefined;
    for (let i = 0; i < 10; i++) tat = gcra(tat, 0, 10).tat;
    assert.equal(gcra(tat, 0, 10).decision.allowed, false);
    assert.equal(gcra(tat, 60_000, 10).decision.allowed, true);
  });
});
