import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ArgumentsHost } from '@nestjs/common';
import { MethodNotAllowedException, NotFoundException } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '../../../../libs/common/src/errors';
import { ErrorFilter } from './error.filter';

/** Runs the filter on `err` and returns what the client would get. */
function answer(err: unknown): { status: number; body: { error: Record<string, unknown> }; logged: unknown[] } {
  const logged: unknown[] = [];
  const logger = { error: (...a: unknown[]) => logged.push(a), warn: () => undefined } as unknown as Logger;
  const out = { status: 0, body: undefined as unknown };
  const res = {
    status(s: number) {
      out.status = s;
      return this;
    },
    json(b: unknown) {
      out.body = b;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  new ErrorFilter(logger).catch(err, host);
  return { status: out.status, body: out.body as { error: Record<string, unknown> }, logged };
}

describe('error responses: { error: { code, message, details } } for every kind of failure', () => {
  const cases: [string, unknown, number, string][] = [
    ['a domain error without details', new DomainError('not_found', 'no system named nope'), 404, 'not_found'],
    ['an unknown route', new NotFoundException('Cannot GET /api/v1/nope'), 404, 'not_found'],
    ['a wrong method', new MethodNotAllowedException(), 405, 'method_not_allowed'],
    ['malformed JSON', Object.assign(new SyntaxError('Unexpected end of JSON input'), { type: 'entity.parse.failed', status: 400 }), 400, 'bad_request'],
    ['a body too large', Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 }), 413, 'payload_too_large'],
    ['an unsupported charset', Object.assign(new Error('unsupported charset "LATIN1"'), { type: 'charset.unsupported', status: 415, expose: true }), 415, 'unsupported_media_type'],
    ['a body nested too deep', Object.assign(new Error('request body nests deeper than 64 levels'), { type: 'entity.too.deep', status: 400, expose: true }), 400, 'bad_request'],
    ['a NUL PostgreSQL cannot store', Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }), 400, 'bad_request'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), 500, 'internal'],
  ];
  for (const [what, err, status, code] of cases) {
    it(`${what}: ${status} ${code}, with a details object`, () => {
      const r = answer(err);
      assert.equal(r.status, status);
      assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'details', 'message']);
      assert.equal(r.body.error.code, code);
      assert.equal(typeof r.body.error.message, 'string');
      assert.deepEqual(r.body.error.details, {});
    });
  }

  it('keeps the details a domain error gives, and a bug is logged but its text is not sent', () => {
    assert.deepEqual(answer(new DomainError('bad_request', 'state must be MASTER, BACKUP, FAULT or STOP', { field: 'state' })).body.error.details, { field: 'state' });
    const bug = answer(new TypeError('secret internals'));
    assert.equal(bug.body.error.message, 'internal error');
    assert.equal(bug.logged.length, 1);
  });

  it('a password in a message never reaches the client', () => {
    const r = answer(new DomainError('bad_request', 'cannot reach postgres://nines:hunter2@db:5432/nines'));
    assert.doesNotMatch(JSON.stringify(r.body), /hunter2/);
  });
});
