import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { DomainError } from '../../../../libs/common/src/errors';
import { IncidentListQuery, DrillBody } from '../incidents/incidents.schemas';
import { AlertsQuery } from '../alerting/alerts.schemas';
import { Validate, objectBody } from './validate';

const rejects = (v: Validate<z.ZodTypeAny>, input: unknown) => {
  try {
    v.transform(input);
  } catch (err) {
    assert.ok(err instanceof DomainError);
    return { code: err.code, message: err.message, details: err.details as { field: string; issues: { field: string; reason: string }[] } };
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
};

test('a bad query is a bad_request naming the field, in the wording the API has always used', () => {
  const r = rejects(new Validate(IncidentListQuery), { state: 'closed', limit: '5000' });
  assert.equal(r.code, 'bad_request');
  assert.equal(r.details.field, 'state');
  assert.equal(r.message, 'state must be open or resolved; limit must be between 1 and 1000');
  assert.deepEqual(r.details.issues.map((i) => i.field), ['state', 'limit']);
  assert.match(rejects(new Validate(IncidentListQuery), { since: 'yesterday' }).message, /^since must be an RFC 3339 time/);
});

test('good input comes out typed: numbers, dates, defaults', () => {
  const q = new Validate(IncidentListQuery).transform({ limit: '20', since: '2026-11-22T09:00:00Z' });
  assert.equal(q.limit, 20);
  assert.equal(q.since?.toISOString(), '2026-11-22T09:00:00.000Z');
  assert.equal(new Validate(AlertsQuery).transform({}).limit, 100);
});

test('bodies: required fields, wrong types, a non-object body, and nested paths as config errors name them', () => {
  assert.equal(rejects(new Validate(DrillBody), { action: 'start' }).details.field, 'system');
  assert.equal(rejects(new Validate(DrillBody), { system: 'db', action: 'pause' }).message, 'action must be start or stop');
  assert.equal(rejects(new Validate(DrillBody), [1, 2]).message, 'body must be a JSON object');
  const nested = objectBody({ alerts: z.array(z.object({ labels: z.record(z.string()) })) });
  assert.equal(rejects(new Validate(nested), { alerts: [{ labels: { a: 1 } }] }).details.field, 'alerts[0].labels.a');
  assert.equal(rejects(new Validate(z.string().regex(/^\d+$/, 'id must be a positive integer'), 'id'), 'x').details.field, 'id');
});
