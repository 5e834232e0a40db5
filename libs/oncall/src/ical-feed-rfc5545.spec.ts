import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendar, escapeText, fold } from './ical';

describe('iCalendar feed', () => {
  const T = (s: string) => Date.parse(s);
  const ics = calendar({
    name: 'primary; DB, on call',
    now: T('2026-12-01T00:00:00Z'),
    shifts: [
      { schedule: 'primary', person: 'alice', from: T('2026-11-30T08:00:00Z'), until: T('2026-12-07T08:00:00Z') },
      { schedule: 'primary', person: null, from: T('2026-12-07T08:00:00Z'), until: T('2026-12-08T08:00:00Z') },
      { schedule: 'primary', person: 'bob', from: T('2026-12-08T08:00:00Z'), until: T('2026-12-14T08:00:00Z') },
    ],
  });

  it('is CRLF-terminated VCALENDAR with one VEVENT per staffed shift, in UTC, with stable UIDs', () => {
    assert.ok(ics.endsWith('END:VCALENDAR\r\n'));
    assert.ok(!/[^\r]\n/.test(ics), 'every line ends with CRLF');
    const events = ics.split('BEGIN:VEVENT').slice(1);
    assert.equal(events.length, 2, 'a gap (nobody on call) is not an event');
    assert.match(events[0], /DTSTART:20261130T080000Z\r\nDTEND:20261207T080000Z\r\nSUMMARY:On call: alice \(primary\)/);
    assert.match(events[0], /UID:primary-20261130T080000Z@nines/);
    assert.match(ics, /X-WR-CALNAME:primary\\; DB\\, on call/);
  });

  it('escapes text and folds long lines at 75 octets without splitting a character', () => {
    assert.equal(escapeText('a,b;c\\d\ne'), 'a\\,b\\;c\\\\d\\ne');
    const long = `SUMMARY:${'é'.repeat(60)}`;
    const folded = fold(long).split('\r\n');
    assert.ok(folded.length > 1);
    for (const l of folded) assert.ok(Buffer.byteLength(l) <= 75, `${Buffer.byteLength(l)} octets`);
    assert.equal(folded.map((l, i) => (i ? l.slice(1) : l)).join(''), long);
  });
});
