import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cronPrevious, isoWeekOf, weekRange } from './calendar';
import { duePeriod, parseWeek, reportedWeek } from './weekly-report';
import { DomainError } from '../../common/src/errors';

const iso = (t: number) => new Date(t).toISOString();
const H = 3_600_000;

describe('report weeks: ISO weeks as [local Monday 00:00, next Monday 00:00)', () => {
  it('in UTC', () => {
    const r = weekRange('2026-W47', 'UTC');
    assert.equal(iso(r.start), '2026-11-16T00:00:00.000Z');
    assert.equal(iso(r.end), '2026-11-23T00:00:00.000Z');
  });

  it('in a UTC+9 zone the week starts nine hours earlier in UTC', () => {
    const r = weekRange('2026-W47', 'Asia/Tokyo');
    assert.equal(iso(r.start), '2026-11-15T15:00:00.000Z');
    assert.equal(iso(r.end), '2026-11-22T15:00:00.000Z');
    // Sunday 23:30 in Tokyo is still W47; Monday 00:30 there is W48 while UTC is still in W47.
    assert.equal(isoWeekOf(Date.UTC(2026, 10, 22, 14, 30), 'Asia/Tokyo'), '2026-W47');
    assert.equal(isoWeekOf(Date.UTC(2026, 10, 22, 15, 30), 'Asia/Tokyo'), '2026-W48');
    assert.equal(isoWeekOf(Date.UTC(2026, 10, 22, 15, 30), 'UTC'), '2026-W47');
  });

  it('2026 has 53 ISO weeks: W53 runs from Mon 28 Dec 2026 into 2027', () => {
    const r = weekRange('2026-W53', 'UTC');
    assert.equal(iso(r.start), '2026-12-28T00:00:00.000Z');
    assert.equal(iso(r.end), '2027-01-04T00:00:00.000Z');
    assert.equal(isoWeekOf(Date.UTC(2027, 0, 3, 12), 'UTC'), '2026-W53');
    assert.equal(isoWeekOf(Date.UTC(2027, 0, 4, 12), 'UTC'), '2027-W01');
    const tokyo = weekRange('2026-W53', 'Asia/Tokyo');
    assert.equal(iso(tokyo.start), '2026-12-27T15:00:00.000Z');
    // 2025 has only 52: its W53 does not exist, and neither does W00.
    assert.throws(() => weekRange('2025-W53', 'UTC'), /no such ISO week/);
    assert.throws(() => weekRange('2026-W00', 'UTC'), /no such ISO week/);
  });

  it('a week with a daylight-saving change is 167 or 169 hours long', () => {
    const spring = weekRange('2026-W13', 'Europe/Berlin'); // clocks go forward Sun 29 Mar
    assert.equal((spring.end - spring.start) / H, 167);
    assert.equal(iso(spring.start), '2026-03-22T23:00:00.000Z');
    const autumn = weekRange('2026-W43', 'Europe/Berlin'); // back on Sun 25 Oct
    assert.equal((autumn.end - autumn.start) / H, 169);
  });

  it('a malformed week is the caller’s mistake (400), not a crash', () => {
    for (const bad of ['2026-47', '2026-W7', 'W47', '', '2026-W47; drop table']) {
      assert.throws(() => parseWeek(bad, 'UTC'), (e: unknown) => e instanceof DomainError && e.code === 'bad_request', bad);
    }
  });
});

describe('which week a scheduled report covers', () => {
  it('Monday 09:00 reports the week that just ended', () => {
    assert.equal(reportedWeek(Date.UTC(2026, 10, 23, 9), 'UTC'), '2026-W47');
    // Any time during a week reports the last complete one.
    assert.equal(reportedWeek(Date.UTC(2026, 10, 29, 23, 59), 'UTC'), '2026-W47');
    assert.equal(reportedWeek(Date.UTC(2027, 0, 4, 9), 'UTC'), '2026-W53');
    assert.equal(reportedWeek(Date.UTC(2026, 0, 5, 9), 'UTC'), '2026-W01');
  });

  it('in Tokyo, Monday 09:00 local is Sunday 00:00 UTC, and still reports the week just ended there', () => {
    const due = duePeriod('0 9 * * 1', 'Asia/Tokyo', Date.UTC(2026, 10, 23, 1));
    assert.equal(iso(due!.firing), '2026-11-23T00:00:00.000Z');
    assert.equal(due!.week, '2026-W47');
  });

  it('the latest firing at or before now: a missed Monday is still due on Wednesday', () => {
    const due = duePeriod('0 9 * * 1', 'UTC', Date.UTC(2026, 10, 25, 14, 7));
    assert.equal(iso(due!.firing), '2026-11-23T09:00:00.000Z');
    assert.equal(due!.week, '2026-W47');
    // Before 09:00 on Monday the last firing was a week earlier, for W46.
    assert.equal(duePeriod('0 9 * * 1', 'UTC', Date.UTC(2026, 10, 23, 8, 59))!.week, '2026-W46');
    assert.equal(iso(cronPrevious('0 9 * * 1', Date.UTC(2026, 10, 23, 9, 0, 30), 'UTC')!), '2026-11-23T09:00:00.000Z');
  });
});
