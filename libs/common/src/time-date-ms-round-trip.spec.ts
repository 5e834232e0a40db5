import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTime, toDate, toMs } from './time';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);

describe('time helpers: Date and epoch ms', () => {
  it('round-trip a time both ways', () => {
    assert.equal(toMs(toDate(T0)), T0);
    assert.equal(toDate(T0).toISOString(), '2026-03-02T10:00:00.000Z');
  });

  it('keep a missing value missing: null towards SQL, undefined from it', () => {
    assert.equal(toDate(undefined), null);
    assert.equal(toDate(null), null);
    assert.equal(toMs(null), undefined);
    assert.equal(toMs(undefined), undefined);
  });

  it('read the timestamptz text PostgreSQL may hand back', () => {
    assert.equal(toMs('2026-03-02T10:00:00Z'), T0);
  });

  it('parse RFC 3339 and refuse what is not a time', () => {
    assert.equal(parseTime('2026-03-02T10:00:00Z'), T0);
    assert.equal(parseTime('next tuesday'), undefined);
  });
});
