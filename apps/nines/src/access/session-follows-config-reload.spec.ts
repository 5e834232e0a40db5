import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { SessionRepository, SessionRow } from '../../../../libs/access/src/session.repository';
import { hashSessionId, newSessionId } from '../../../../libs/access/src/session';
import { ManualClock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { AccessRefused } from './access-gate';
import { CookieSessionAuthenticator } from './session.authenticator';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const id = newSessionId();
const row: SessionRow = {
  id: 1,
  name: 'rick',
  role: 'responder',
  claims: ['nines-oncall'],
  csrf: 'csrf-token-of-rick',
  created_at: new Date(T0),
  expires_at: new Date(T0 + 3_600_000),
  last_seen_at: new Date(T0),
};

/** The authenticator over one stored session and a config the test swaps as a reload would. */
function setup() {
  let oidc: Record<string, unknown> | undefined = { roles: { 'nines-oncall': 'responder' }, external_url: 'https://nines.example.com' };
  const config = { get: () => ({ raw: { auth: { oidc }, alerting: {} } }) } as unknown as ConfigHolder;
  const clock = new ManualClock(T0);
  const repo = {
    live: async (hash: string, now: Date) => (hash === hashSessionId(id) && now < row.expires_at ? row : undefined),
    touch: async () => undefined,
  } as unknown as SessionRepository;
  const auth = new CookieSessionAuthenticator(repo, config, clock, { warn: () => undefined } as unknown as Logger);
  const req = (method: string, headers: Record<string, string> = {}, cookie = id) =>
    ({ method, protocol: 'http', secure: false, headers: { host: 'nines.internal', cookie: `nines_session=${cookie}`, ...headers } }) as unknown as Request;
  return { auth, req, clock, reload: (next: Record<string, unknown> | undefined) => (oidc = next) };
}

describe('browser sessions for the access gate', () => {
  it('a live session is its user at the role the running config maps its claim values to', async () => {
    const { auth, req, reload } = setup();
    assert.deepEqual(await auth.presented(req('GET')), { kind: 'valid', principal: { name: 'rick', role: 'responder' } });
    reload({ roles: { 'nines-oncall': 'admin' }, external_url: 'https://nines.example.com' });
    assert.deepEqual(await auth.presented(req('GET')), { kind: 'valid', principal: { name: 'rick', role: 'admin' } });
    reload({ roles: { 'nines-viewers': 'viewer' }, external_url: 'https://nines.example.com' });
    assert.deepEqual(await auth.presented(req('GET')), { kind: 'unknown', via: 'session' }, 'a reload that drops the mapping ends its access');
  });

  it('without auth.oidc the cookie is ignored (the request is anonymous, not refused)', async () => {
    const { auth, req, reload } = setup();
    reload(undefined);
    assert.equal(await auth.presented(req('GET')), undefined);
  });

  it('no cookie: no session; an unknown, malformed or expired cookie: unknown', async () => {
    const { auth, req, clock } = setup();
    assert.equal(await auth.presented(req('GET', {}, '')), undefined);
    assert.deepEqual(await auth.presented(req('GET', {}, newSessionId())), { kind: 'unknown', via: 'session' });
    assert.deepEqual(await auth.presented(req('GET', {}, 'not-a-session')), { kind: 'unknown', via: 'session' });
    clock.advance(3_600_000);
    assert.deepEqual(await auth.presented(req('GET')), { kind: 'unknown', via: 'session' });
  });

  it('a write needs the CSRF token and, with Origin, the external URL origin (403 in the error shape)', async () => {
    const { auth, req } = setup();
    await assert.rejects(auth.presented(req('POST')), (e: unknown) => e instanceof AccessRefused && e.getStatus() === 403 && e.code === 'forbidden');
    await assert.rejects(auth.presented(req('POST', { 'x-csrf-token': 'csrf-token-of-rick', origin: 'http://nines.internal' })), /cross-origin/, 'the external URL, not Host, is our origin');
    assert.equal((await auth.presented(req('POST', { 'x-csrf-token': 'csrf-token-of-rick', origin: 'https://nines.example.com' })))?.kind, 'valid');
    assert.equal((await auth.presented(req('DELETE', { 'x-csrf-token': 'csrf-token-of-rick' })))?.kind, 'valid');
  });
});
