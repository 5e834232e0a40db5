import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/src/config';
import { ConfigError } from '../../config/src/errors';
import { computeSlo, planSlo } from './engine';
import { LATENCY_BUCKETS_MS, latencyBucket } from './latency-buckets';
import { MemoryCountSource } from './memory-source';
import { noExclusions, registry, slo, target } from './slo-fixtures';

const MIN = 60_000;
const NOW = Date.UTC(2026, 9, 1, 6, 0);

describe('latency SLI: successful and no slower than the threshold, counted exactly per boundary', () => {
  it('250ms is boundary 6; a probe of exactly 250ms is within it', () => {
    assert.equal(latencyBucket(250), 6);
    assert.equal(LATENCY_BUCKETS_MS[5], 250);
    assert.equal(latencyBucket(300), undefined);
  });

  it('good = probes within the boundary; slow successes and failures are both bad', () => {
    // Per minute: 6 probes, 5 successful, 4 of those within 250ms (fast[5]), 2 within 100ms (fast[4]).
    const fast = [0, 0, 0, 1, 2, 4, 5, 5, 5, 5, 5];
    const src = new MemoryCountSource().fill(1, NOW - 60 * MIN, NOW, { total: 6, good: 5, fast });
    const reg = registry([target(1, 'web', { intervalMs: 10_000 })]);
    const r = computeSlo(planSlo(slo({ sli: { kind: 'latency', threshold: '250ms' }, window: '1h', objective: 50 }), reg, noExclusions, NOW), src);
    assert.equal(r.numbers.good, 240);
    assert.equal(r.numbers.bad, 120);
    assert.equal(r.numbers.sli, 4 / 6);
    const avail = computeSlo(planSlo(slo({ window: '1h' }), reg, noExclusions, NOW), src);
    assert.equal(avail.numbers.sli, 5 / 6);
  });

  it('the config refuses a threshold that is not a boundary, and names the boundaries', () => {
    const yaml = `
targets: [{ name: web, probe: { kind: http, url: "http://127.0.0.1/" } }]
slos: [{ name: fast, selector: { target: web }, sli: { kind: latency, threshold: 300ms }, objective: 99, window: 30d }]
`;
    assert.throws(
      () => parseConfig(yaml, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.issues.some((i) => i.path === 'slos[0].sli.threshold' && i.message === 'must be one of the latency boundaries Nines counts: 5ms, 10ms, 25ms, 50ms, 100ms, 250ms, 500ms, 1s, 2.5s, 5s, 10s (got 300ms)'),
    );
    const ok = parseConfig(yaml.replace('300ms', '250ms'), {});
    assert.equal(ok.raw.slos[0].sli.threshold, '250ms');
  });
});
