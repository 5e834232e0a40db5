import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overlayVerdicts, type TargetSeries } from './target-series';

const row = (key: string, success: boolean, at: number): TargetSeries => ({ key, kind: 'http', isEndpoint: false, at, success, status: success ? 'up' : 'down', source: 'database', stale: false });

test('a verdict newer than the stored row wins; an older or agreeing one changes nothing', () => {
  const series = [row('a', true, 1_000), row('b', true, 5_000), row('c', false, 1_000), row('d', true, 1_000), row('e', true, 7_000)];
  const out = overlayVerdicts(series, new Map([
    ['a', { status: 'down' as const, since: 2_000 }],
    ['b', { status: 'down' as const, since: 4_000 }],
    ['c', { status: 'down' as const, since: 3_000 }],
    ['d', { status: 'unknown' as const, since: 9_000 }],
    // Tick 7000 stored up by the location that probed it before the kill; the verdict tipped on that same tick.
    ['e', { status: 'down' as const, since: 7_000 }],
  ]));
  assert.deepEqual(out.map((s) => [s.key, s.success, s.status, s.at]), [
    ['a', false, 'down', 2_000],
    ['b', true, 'up', 5_000],
    ['c', false, 'down', 1_000],
    ['d', true, 'up', 1_000],
    ['e', false, 'down', 7_000],
  ]);
  assert.equal(out[1], series[1], 'untouched series are the same objects');
});
