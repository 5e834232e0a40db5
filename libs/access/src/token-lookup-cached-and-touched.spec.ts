import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../common/src/clock';
import { TokenAuthenticator } from './authenticator';
import { hashToken, newToken } from './token';
import type { TokenRow } from './token.repository';

function fakeRepo(rows: Map<string, TokenRow>) {
  const calls = { byHash: 0, touch: [] as number[], anyUsable: 0 };
  return {
    calls,
    byHash: async (h: string) => {
      calls.byHash++;
      return rows.get(h);
    },
    anyUsable: async () => {
      calls.anyUsable++;
      return rows.size > 0;
    },
    touch: async (id: number) => {
      calls.touch.push(id);
    },
  };
}

const row = (over: Partial<TokenRow>): TokenRow => ({ id: 1, name: 'alice', role: 'responder', source: null, created_at: new Date(0), created_by: 'cli', expires_at: null, last_used_at: null, revoked_at: null, revoked_by: null, ...over });

describe('TokenAuthenticator', () => {
  const token = newToken();
  it('answers none without a header, unknown for garbage without asking the database', async () => {
    const repo = fakeRepo(new Map());
    const a = new TokenAuthenticator(repo, new ManualClock(0));
    assert.deepEqual(await a.presented(undefined), { kind: 'none' });
    assert.deepEqual(await a.presented('Basic dXNlcjpwYXNz'), { kind: 'unknown' });
    assert.deepEqual(await a.presented('Bearer not-a-nines-token'), { kind: 'unknown' });
    assert.equal(repo.calls.byHash, 0);
    assert.deepEqual(await a.presented(`Bearer ${token}`), { kind: 'unknown' });
    assert.equal(repo.calls.byHash, 1);
  });

  it('tells valid, expired and revoked apart; an ingest token is a scope, not a role', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const t2 = newToken();
    const t3 = newToken();
    const t4 = newToken();
    const rows = new Map([
      [hashToken(token), row({})],
      [hashToken(t2), row({ id: 2, name: 'old', expires_at: new Date('2026-11-30T00:00:00Z') })],
      [hashToken(t3), row({ id: 3, name: 'gone', revoked_at: new Date('2026-11-01T00:00:00Z') })],
      [hashToken(t4), row({ id: 4, name: 'ka', role: 'ingest', source: 'keepalived' })],
    ]);
    const a = new TokenAuthenticator(fakeRepo(rows), clock);
    assert.deepEqual(await a.presented(`Bearer ${token}`), { kind: 'valid', principal: { name: 'alice', role: 'responder' } });
    assert.deepEqual(await a.presented(`bearer  ${t2} `), { kind: 'expired', name: 'old' });
    assert.deepEqual(await a.presented(`Bearer ${t3}`), { kind: 'revoked', name: 'gone' });
    assert.deepEqual(await a.presented(`Bearer ${t4}`), { kind: 'valid', principal: { name: 'ka', ingest: 'keepalived' } });
  });

  it('caches a lookup for a second, so a revocation elsewhere takes effect within one', async () => {
    const clock = new ManualClock(0);
    const rows = new Map([[hashToken(token), row({})]]);
    const repo = fakeRepo(rows);
    const a = new TokenAuthenticator(repo, clock, 1000);
    assert.equal((await a.presented(`Bearer ${token}`)).kind, 'valid');
    rows.set(hashToken(token), row({ revoked_at: new Date(0) }));
    clock.advance(999);
    assert.equal((await a.presented(`Bearer ${token}`)).kind, 'valid', 'still cached');
    clock.advance(2);
    assert.equal((await a.presented(`Bearer ${token}`)).kind, 'revoked');
    assert.equal(repo.calls.byHash, 2);
  });

  it('records last use at most once a minute per token', async () => {
    const clock = new ManualClock(0);
    const repo = fakeRepo(new Map([[hashToken(token), row({ id: 7 })]]));
    const a = new TokenAuthenticator(repo, clock, 0);
    for (let i = 0; i < 30; i++) {
      await a.presented(`Bearer ${token}`);
      clock.advance(1000);
    }
    assert.deepEqual(repo.calls.touch, [7]);
    clock.advance(31_000);
    await a.presented(`Bearer ${token}`);
    assert.deepEqual(repo.calls.touch, [7, 7]);
  });

  it('caches whether any token exists for a second, and forgets on invalidate()', async () => {
    const clock = new ManualClock(0);
    const rows = new Map<string, TokenRow>();
    const repo = fakeRepo(rows);
    const a = new TokenAuthenticator(repo, clock);
    assert.equal(await a.tokensExist(), false);
    rows.set('x', row({}));
    assert.equal(await a.tokensExist(), false);
    a.invalidate();
    assert.equal(await a.tokensExist(), true);
    assert.equal(repo.calls.anyUsable, 2);
  });
});
