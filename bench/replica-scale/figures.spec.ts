import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bucketDelta,
  coverage,
  gapSummary,
  histogramBuckets,
  histogramQuantile,
  mergeMax,
  mergeOwners,
  perThousand,
  ratio,
  samplesOf,
  sumOf,
  takeoverGaps,
} from './figures';

const METRICS = `# HELP nines_probes_total Probes run by this process.
# TYPE nines_probes_total counter
nines_probes_total{kind="http"} 1200
nines_probes_total{kind="tcp"} 300
nines_probes_skipped_total{reason="behind"} 2
nines_probes_skipped_total{reason="overlap"} 0
nines_probes_skipped_total_extra 99
probe_success{target="t1",system="",member="",layer="",kind="http"} 1
nines_probe_queue_lag_seconds_bucket{le="0.01"} 50
nines_probe_queue_lag_seconds_bucket{le="0.025"} 90
nines_probe_queue_lag_seconds_bucket{le="0.05"} 100
nines_probe_queue_lag_seconds_bucket{le="+Inf"} 100
nines_probe_queue_lag_seconds_sum 1.5
`;

describe('replica-scale figures', () => {
  it('reads only the named families from /metrics text, labels included', () => {
    const s = samplesOf(METRICS, ['nines_probes_total', 'nines_probes_skipped_total']);
    assert.equal(s.length, 4, 'a family whose name only starts the same (…_total_extra) is not read');
    assert.equal(sumOf(s, 'nines_probes_total'), 1500);
    assert.equal(sumOf(s, 'nines_probes_skipped_total', { reason: 'behind' }), 2);
    assert.deepEqual(s[1].labels, { kind: 'tcp' });
  });

  it('interpolates histogram quantiles within a bucket, as histogram_quantile() does', () => {
    const b = histogramBuckets(samplesOf(METRICS, ['nines_probe_queue_lag_seconds_bucket']), 'nines_probe_queue_lag_seconds');
    assert.equal(b.get(Infinity), 100);
    // p50: rank 50 is the whole first bucket → its upper bound.
    assert.equal(histogramQuantile(0.5, b), 0.01);
    // p70: rank 70, halfway through (0.01, 0.025] (50 → 90).
    assert.ok(Math.abs(histogramQuantile(0.7, b) - 0.0175) < 1e-12);
    // p25: halfway through the first bucket, which starts at 0.
    assert.ok(Math.abs(histogramQuantile(0.25, b) - 0.005) < 1e-12);
    // p99 in (0.025, 0.05] (90 → 100): 0.025 + 0.025 * 9/10.
    assert.ok(Math.abs(histogramQuantile(0.99, b) - 0.0475) < 1e-12);
    assert.ok(Number.isNaN(histogramQuantile(0.5, new Map())));
    assert.ok(Number.isNaN(histogramQuantile(0.5, new Map([[0.01, 0], [Infinity, 0]]))));
  });

  it('puts a quantile that falls in +Inf at the highest finite bound', () => {
    assert.equal(histogramQuantile(0.99, new Map([[0.1, 10], [1, 20], [Infinity, 100]])), 1);
  });

  it('takes the quantile of the window only (bucket deltas between two scrapes)', () => {
    const before = new Map([[0.01, 40], [0.025, 40], [Infinity, 40]]);
    const after = new Map([[0.01, 40], [0.025, 140], [Infinity, 140]]);
    const d = bucketDelta(before, after);
    assert.deepEqual([...d.entries()], [[0.01, 0], [0.025, 100], [Infinity, 100]]);
    // Every observation of the window is in (0.01, 0.025]: the median is its middle.
    assert.ok(Math.abs(histogramQuantile(0.5, d) - 0.0175) < 1e-12);
  });

  it('costs per 1,000 probes and ratios, NaN rather than a division by zero', () => {
    assert.equal(perThousand(6, 20_000), 0.3);
    assert.ok(Number.isNaN(perThousand(1, 0)));
    assert.equal(ratio(0.6, 0.3), 2);
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(NaN, 1)));
  });

  it('finds unowned and shared targets from per-replica request counts', () => {
    // Five targets: t0,t1 by r0; t2 by r1; t3 by both; t4 by nobody.
    const c = coverage([[6, 6, 0, 3, 0], [0, 0, 6, 3, 0]], 5);
    assert.equal(c.covered, 4);
    assert.deepEqual(c.unowned, [4]);
    assert.equal(c.shared, 1);
    assert.deepEqual(c.perReplica, [15, 9]);
    assert.equal(c.perTargetMin, 0);
    assert.equal(c.perTargetMax, 6);
  });

  it('measures takeover gaps for the killed replica’s targets only, Infinity when not taken over', () => {
    const killedAt = 1_000_000;
    const owner = [0, 2, 2, 1, 2, -1];
    const firstAfter = [0, killedAt + 12_000, killedAt + 19_500, killedAt + 3, 0, 0];
    const gaps = takeoverGaps(owner, firstAfter, 2, killedAt);
    assert.deepEqual(gaps, [12_000, 19_500, Infinity]);
    const s = gapSummary(gaps, 20_000);
    assert.equal(s.n, 3);
    assert.equal(s.p50, 19_500);
    assert.equal(s.max, Infinity);
    assert.equal(s.within, 2);
    assert.equal(s.missing, 1);
  });

  it('uses nearest-rank percentiles for the gaps', () => {
    const gaps = Array.from({ length: 200 }, (_, i) => (i + 1) * 100); // 100 … 20,000 ms
    const s = gapSummary(gaps, 20_000);
    assert.equal(s.p50, 10_000);
    assert.equal(s.p99, 19_800);
    assert.equal(s.max, 20_000);
    assert.equal(s.within, 200, 'a gap of exactly two intervals is within the goal');
  });

  it('merges the target servers’ per-target arrays (each serves some targets)', () => {
    assert.deepEqual(mergeMax([[5, 0, 7], [0, 3, 0]], 3), [5, 3, 7]);
    assert.deepEqual(mergeOwners([[2, -1, -1], [-1, 0, -1]], 3), [2, 0, -1]);
  });
});
