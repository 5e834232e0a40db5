import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../common/src/errors';
import { isSilenceId, validateSilence } from './silence';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const H = 3_600_000;
const ok = { matchers: ['system="orders-db"'], ends_at: new Date(T0 + H).toISOString(), created_by: 'ana', comment: 'planned failover' };

function issues(body: unknown): { field: string; reason: string }[] {
  try {
    validateSilence(body, T0);
  } catch (err) {
    assert.ok(err instanceof DomainError);
    assert.equal(err.code, 'bad_request');
    return Array.isArray(err.details) ? err.details : [err.details as { field: string; reason: string }];
  }
  assert.fail('the request was accepted');
}

describe('a silence request', () => {
  it('starts now when starts_at is left out, and keeps the parsed matchers', () => {
    assert.deepEqual(validateSilence(ok, T0), {
      matchers: [{ name: 'system', op: '=', value: 'orders-db' }],
      startsAt: T0,
      endsAt: T0 + H,
      createdBy: 'ana',
      comment: 'planned failover',
    });
  });

  it('names every problem at once', () => {
    assert.deepEqual(
      issues({ matchers: ['system=="x"', 3], starts_at: 'soon' }).map((i) => i.field),
      ['matchers[0]', 'matchers[1]', 'starts_at', 'ends_at', 'created_by', 'comment'],
    );
  });

  it('must end after it starts', () => {
    assert.deepEqual(issues({ ...ok, starts_at: new Date(T0 + 2 * H).toISOString() }), [{ field: 'ends_at', reason: 'must be after starts_at' }]);
  });

  it('may not silence every alert', () => {
    assert.deepEqual(issues({ ...ok, matchers: ['alertname=~".*"', 'system=""'] }), [{ field: 'matchers' }]);
  });

  it('cuts who and why to their column sizes', () => {
    const v = validateSilence({ ...ok, created_by: 'a'.repeat(300), comment: 'c'.repeat(3000) }, T0);
    assert.equal(v.createdBy.length, 200);
    assert.equal(v.comment.length, 2000);
  });

  it('is expired by its uuid only', () => {
    assert.equal(isSilenceId('2f1b8c9e-0d4c-4a51-9a7e-3f0b6c1d2e3f'), true);
    assert.equal(isSilenceId("1' or '1'='1"), false);
  });
});
