import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it('reads every unit', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('30d'), 2_592_000_000);
    assert.equal(parseDuration('2w'), 1_209_600_000);
  });

  it('adds compound parts and accepts fractions', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1m5s250ms'), 65_250);
    assert.equal(parseDuration('1.5s'), 1_500);
    assert.equal(parseDuration('0.25ms'), 0); // rounded to whole milliseconds
  });

  it('tolerates surrounding whitespace and reads 0s as zero', () => {
    assert.equal(parseDuration('  10s '), 10_000);
    assert.equal(parseDuration('0s'), 0);
  });

  it('rejects bare numbers, unknown units, signs, inner spaces and junk', () => {
    for (const bad of ['', '   ', '10', '10sec', '5y', '-5s', '+5s', '1h 30m', 's', '1..5s', '1.s', '10s!', 'abc', '1e3ms']) {
      assert.equal(parseDuration(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('formatDuration', () => {
  it('uses milliseconds below a second and trimmed decimal seconds below a minute', () => {
    assert.equal(formatDuration(0), '0ms');
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(999.4), '999ms');
    assert.equal(formatDuration(1000), '1s');
    assert.equal(formatDuration(1500), '1.5s');
    assert.equal(formatDuration(3000), '3s');
    assert.equal(formatDuration(12_345), '12.345s');
  });

  it('uses d/h/m/s parts from a minute up, leaving out zero parts', () => {
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(3_661_000), '1h1m1s');
    assert.equal(formatDuration(86_400_000 + 5_000), '1d5s');
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [250, 1000, 1500, 90_000, 3_661_000, 2_592_000_000]) assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
  });

  it('prints non-finite values as they are', () => {
    assert.equal(formatDuration(Infinity), 'Infinity');
    assert.equal(formatDuration(NaN), 'NaN');
  });
});
