import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Schedule, ScheduleError, type ScheduleSpec } from './schedule';

const T = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const sched = (over: Partial<ScheduleSpec>): Schedule => new Schedule({ name: 'primary', timezone: 'Europe/Berlin', layers: [], overrides: [], ...over });
const rota = (s: Schedule, a: string, b: string) => s.shifts(T(a), T(b)).map((x) => `${x.person ?? '-'} ${iso(x.from)}..${iso(x.until)}`);

describe('schedules: rotations, layers, restrictions and overrides', () => {
  it('weekly, Europe/Berlin: the Monday 09:00 handoff stays 09:00 local across the spring DST change (the shift is an hour short)', () => {
    const s = sched({ layers: [{ rotation: 'weekly', handoff: 'mon 09:00', start: '2026-03-16 09:00', participants: ['alice', 'bob'] }] });
    assert.deepEqual(rota(s, '2026-03-16T08:00:00Z', '2026-04-06T07:00:00Z'), [
      'alice 2026-03-16T08:00:00Z..2026-03-23T08:00:00Z',
      'bob 2026-03-23T08:00:00Z..2026-03-30T07:00:00Z',
      'alice 2026-03-30T07:00:00Z..2026-04-06T07:00:00Z',
    ]);
    const { now, next } = s.onCall(T('2026-03-29T12:00:00Z'));
    assert.equal(now.person, 'bob');
    assert.equal(iso(now.until), '2026-03-30T07:00:00Z');
    assert.equal(next?.person, 'alice');
  });

  it('daily, America/New_York: 09:00 local across the autumn change (one shift is 25 hours)', () => {
    const s = sched({ timezone: 'America/New_York', layers: [{ rotation: 'daily', handoff: '09:00', start: '2026-10-30 09:00', participants: ['a', 'b', 'c'] }] });
    assert.deepEqual(rota(s, '2026-10-30T13:00:00Z', '2026-11-02T14:00:00Z'), [
      'a 2026-10-30T13:00:00Z..2026-10-31T13:00:00Z',
      'b 2026-10-31T13:00:00Z..2026-11-01T14:00:00Z',
      'c 2026-11-01T14:00:00Z..2026-11-02T14:00:00Z',
    ]);
  });

  it('the same weekly rota in two zones hands off at each zone\'s own 09:00, an hour apart in UTC between the two DST changes', () => {
    const spec = { rotation: 'weekly' as const, handoff: 'mon 09:00', start: '2026-03-02 09:00', participants: ['x', 'y'] };
    const berlin = sched({ layers: [spec] });
    const ny = sched({ timezone: 'America/New_York', layers: [spec] });
    // Monday 2026-03-16: New York is on EDT (from 03-08), Berlin still on CET (until 03-29).
    assert.equal(iso(berlin.onCall(T('2026-03-16T12:00:00Z')).now.from), '2026-03-16T08:00:00Z');
    assert.equal(iso(ny.onCall(T('2026-03-16T14:00:00Z')).now.from), '2026-03-16T13:00:00Z');
    // Before New York's change both are on standard time.
    assert.equal(iso(ny.onCall(T('2026-03-03T12:00:00Z')).now.from), '2026-03-02T14:00:00Z');
  });

  it('`every: 12h` is twelve real hours, not 09:00/21:00 local, across a DST change', () => {
    const s = sched({ layers: [{ rotation: { everyMs: 12 * 3_600_000 }, start: '2026-03-28 21:00', participants: ['n', 'd'] }] });
    assert.deepEqual(rota(s, '2026-03-28T20:00:00Z', '2026-03-30T08:00:00Z'), [
      'n 2026-03-28T20:00:00Z..2026-03-29T08:00:00Z',
      'd 2026-03-29T08:00:00Z..2026-03-29T20:00:00Z',
      'n 2026-03-29T20:00:00Z..2026-03-30T08:00:00Z',
    ]);
  });

  it('a restricted layer covers business hours; outside them the layer below shows through', () => {
    const s = sched({
      layers: [
        { rotation: 'weekly', handoff: 'mon 09:00', start: '2026-11-30 09:00', participants: ['night'] },
        { rotation: 'daily', handoff: '08:00', start: '2026-11-30 08:00', participants: ['alice', 'bob'], restrict: 'mon-fri 08:00-18:00' },
      ],
    });
    assert.deepEqual(rota(s, '2026-12-04T06:00:00Z', '2026-12-07T09:00:00Z'), [
      'night 2026-12-04T06:00:00Z..2026-12-04T07:00:00Z', // Fri 07:00 CET
      'alice 2026-12-04T07:00:00Z..2026-12-04T17:00:00Z', // Fri 08-18: day 5 of the daily rota
      'night 2026-12-04T17:00:00Z..2026-12-07T07:00:00Z', // the weekend, to Monday 08:00
      'bob 2026-12-07T07:00:00Z..2026-12-07T09:00:00Z',
    ]);
  });

  it('an overnight restriction runs past midnight, on the days it starts', () => {
    const s = sched({ layers: [{ rotation: 'weekly', start: '2026-11-30 00:00', participants: ['owl'], restrict: 'mon-fri 22:00-06:00' }] });
    assert.equal(s.personAt(T('2026-12-04T23:30:00Z')), 'owl'); // Sat 00:30 local, from Friday's window
    assert.equal(s.personAt(T('2026-12-05T23:30:00Z')), null); // Sun 00:30: Saturday has no window
    assert.equal(s.personAt(T('2026-12-01T12:00:00Z')), null);
  });

  it('an override wins over every layer for its hours; the last override wins over an earlier one', () => {
    const s = sched({
      layers: [{ rotation: 'weekly', handoff: 'mon 09:00', start: '2026-11-30 09:00', participants: ['alice', 'bob'] }],
      overrides: [
        { person: 'carol', from: T('2026-12-24T18:00:00+01:00'), until: T('2026-12-27T09:00:00+01:00') },
        { person: 'dave', from: T('2026-12-25T00:00:00+01:00'), until: T('2026-12-25T12:00:00+01:00') },
      ],
    });
    assert.deepEqual(rota(s, '2026-12-24T12:00:00Z', '2026-12-28T12:00:00Z'), [
      'bob 2026-12-24T12:00:00Z..2026-12-24T17:00:00Z',
      'carol 2026-12-24T17:00:00Z..2026-12-24T23:00:00Z',
      'dave 2026-12-24T23:00:00Z..2026-12-25T11:00:00Z',
      'carol 2026-12-25T11:00:00Z..2026-12-27T08:00:00Z',
      'bob 2026-12-27T08:00:00Z..2026-12-28T08:00:00Z',
      'alice 2026-12-28T08:00:00Z..2026-12-28T12:00:00Z',
    ]);
  });

  it('before the first shift nobody is on call, and the answer says who comes first', () => {
    const s = sched({ layers: [{ rotation: 'daily', start: '2026-12-10 09:00', participants: ['a'] }] });
    const { now, next } = s.onCall(T('2026-12-09T12:00:00Z'));
    assert.equal(now.person, null);
    assert.equal(next?.person, 'a');
    assert.equal(iso(next!.from), '2026-12-10T08:00:00Z');
  });

  it('names the field and the reason for what it cannot read', () => {
    const bad: [Partial<ScheduleSpec>, RegExp][] = [
      [{ timezone: 'Mars/Olympus' }, /^timezone: unknown time zone/],
      [{ layers: [{ rotation: 'daily', start: '2026-13-01 09:00', participants: ['a'] }] }, /^layers\[0\]\.start: is not a valid date/],
      [{ layers: [{ rotation: 'daily', start: '2026-12-01 09:00', participants: [] }] }, /^layers\[0\]\.participants: needs at least one/],
      [{ layers: [{ rotation: 'daily', handoff: 'mon 09:00', start: '2026-12-01 09:00', participants: ['a'] }] }, /^layers\[0\]\.handoff: a weekday in the handoff needs rotation: weekly/],
      [{ layers: [{ rotation: 'weekly', start: '2026-12-01 09:00', participants: ['a'], restrict: 'someday 08:00-18:00' }] }, /^layers\[0\]\.restrict: unknown day/],
      [{ layers: [{ rotation: 'weekly', start: '2026-12-01 09:00', participants: ['a'], restrict: 'mon 25:00-18:00' }] }, /^layers\[0\]\.restrict: must be a time/],
    ];
    for (const [spec, why] of bad) {
      assert.throws(
        () => sched(spec),
        (e: unknown) => e instanceof ScheduleError && why.test(`${e.field}: ${e.message}`),
        JSON.stringify(spec),
      );
    }
  });
});
