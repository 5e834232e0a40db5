import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inInterval, isMuted, type TimeIntervalSpec } from './time-intervals';

// 2026-03-02 is a Monday.
const utc = (d: number, h: number, m = 0) => Date.UTC(2026, 2, d, h, m);

describe('mute time intervals: weekdays, times and a time zone', () => {
  const officeHours: TimeIntervalSpec = { weekdays: ['monday:friday'], times: ['09:00-17:00'] };

  it('times are [start, end): the start minute is in, the end minute is out', () => {
    assert.equal(inInterval(utc(2, 9, 0), officeHours), true);
    assert.equal(inInterval(utc(2, 16, 59), officeHours), true);
    assert.equal(inInterval(utc(2, 17, 0), officeHours), false);
    assert.equal(inInterval(utc(2, 8, 59), officeHours), false);
  });

  it('weekday ranges are inclusive; the weekend is outside monday:friday', () => {
    assert.equal(inInterval(utc(6, 12), officeHours), true, 'friday');
    assert.equal(inInterval(utc(7, 12), officeHours), false, 'saturday');
    assert.equal(inInterval(utc(8, 12), officeHours), false, 'sunday');
  });

  it('a range that wraps the week end (saturday:monday) and a single day', () => {
    const weekend: TimeIntervalSpec = { weekdays: ['saturday:monday'] };
    // 1 March 2026 is a Sunday.
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((d) => inInterval(utc(d, 12), weekend)), [true, true, false, false, false, false, true, true]);
    assert.equal(inInterval(utc(4, 0), { weekdays: ['wednesday'] }), true);
    assert.equal(inInterval(utc(4, 0) - 1, { weekdays: ['wednesday'] }), false);
  });

  it('24:00 ends a range at midnight; a range past midnight wraps', () => {
    const late: TimeIntervalSpec = { times: ['22:00-24:00'] };
    assert.equal(inInterval(utc(2, 23, 59), late), true);
    assert.equal(inInterval(utc(3, 0, 0), late), false);
    const nights: TimeIntervalSpec = { times: ['22:00-06:00'] };
    assert.equal(inInterval(utc(2, 23), nights), true);
    assert.equal(inInterval(utc(3, 5, 59), nights), true);
    assert.equal(inInterval(utc(3, 6), nights), false);
  });

  it('weekday and time are read in the interval’s location, not UTC', () => {
    // Monday 23:30 UTC is Tuesday 08:30 in Tokyo (UTC+9).
    const tokyoTuesdayMorning: TimeIntervalSpec = { weekdays: ['tuesday'], times: ['08:00-09:00'], location: 'Asia/Tokyo' };
    assert.equal(inInterval(utc(2, 23, 30), tokyoTuesdayMorning), true);
    assert.equal(inInterval(utc(2, 23, 30), { weekdays: ['tuesday'], times: ['08:00-09:00'] }), false, 'the same instant in UTC is Monday night');
    // Across a DST change: New York is UTC-4 from 2026-03-08; 13:30 UTC is 09:30 local after, 08:30 before.
    const nyMorning: TimeIntervalSpec = { times: ['09:00-10:00'], location: 'America/New_York' };
    assert.equal(inInterval(utc(9, 13, 30), nyMorning), true, 'after DST (EDT)');
    assert.equal(inInterval(utc(6, 13, 30), nyMorning), false, 'before DST (EST): 08:30 local');
    assert.equal(inInterval(utc(6, 14, 30), nyMorning), true);
  });

  it('start and end bound an interval in absolute time (a maintenance window)', () => {
    const window: TimeIntervalSpec = { start: '2026-03-02T22:00:00Z', end: '2026-03-03T02:00:00+00:00' };
    assert.equal(inInterval(utc(2, 21, 59), window), false);
    assert.equal(inInterval(utc(2, 22), window), true);
    assert.equal(inInterval(utc(3, 1, 59), window), true);
    assert.equal(inInterval(utc(3, 2), window), false);
  });

  it('a route is muted when any interval of any of its named time intervals contains now', () => {
    const intervals = new Map<string, TimeIntervalSpec[]>([
      ['weekends', [{ weekdays: ['saturday', 'sunday'] }]],
      ['nights', [{ times: ['00:00-06:00'] }, { times: ['22:00-24:00'] }]],
    ]);
    assert.equal(isMuted(utc(7, 12), ['nights', 'weekends'], intervals), 'weekends');
    assert.equal(isMuted(utc(2, 23), ['nights', 'weekends'], intervals), 'nights');
    assert.equal(isMuted(utc(2, 12), ['nights', 'weekends'], intervals), undefined);
    assert.equal(isMuted(utc(7, 12), [], intervals), undefined);
    assert.equal(isMuted(utc(7, 12), ['unknown'], intervals), undefined);
  });
});
