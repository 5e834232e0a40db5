import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, chromiumMissing } from '../support/chromium';
import { freshDatabase } from '../support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { freePort, tempDir } from '../support/servers/spawned';
import { waitFor } from '../support/wait';

/**
 * Browser sign-in against a real OpenID provider (panva's oidc-provider, in this process, with its
 * development login form): Nines starts while the provider is down (sign-in answers 503), then
 * real Chromium signs users in whose `groups` claim the test controls. The session's role decides
 * what the API allows, cookie writes need the CSRF token and our own Origin, logout ends the
 * session on the server, a user whose groups map to no role gets no session, the audit log has
 * session.start and session.end, and no secret of the flow reaches Nines' logs.
 */

// oidc-provider is ESM and ships no types; Node 20.19+ require()s it from this CommonJS file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { default: Provider } = require('oidc-provider') as { default: new (issuer: string, config: Record<string, unknown>) => { callback(): (req: IncomingMessage, res: ServerResponse) => void } };

const GROUPS: Record<string, string[]> = {
  vera: ['staff', 'nines-viewers'],
  rick: ['nines-viewers', 'nines-oncall'],
  stranger: ['staff', 'marketing'],
};
type Me = { name: string; role: string; csrf_token: string };
type Answer = { status: number; body: any };
const CLIENT_SECRET = `idp-client-secret-${randomBytes(12).toString('hex')}`;

describe('OIDC sign-in in a real browser against a real provider', { skip: chromiumMissing }, () => {
  const dir = tempDir('oidc-signin');
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let nines: NinesProcess;
  let idp: Server;
  let idpHandler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let issuer: string;
  let browser: Browser;
  /** Every authorization code the provider sent back to Nines (none may reach its logs). */
  const codes: string[] = [];
  /** Every session cookie value Nines set (none may reach its logs either). */
  const sessionIds: string[] = [];

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('oidc_signin');
    const idpPort = await freePort();
    const ninesPort = await freePort([idpPort]);
    issuer = `http://127.0.0.1:${idpPort}`;
    const base = `http://127.0.0.1:${ninesPort}`;
    // Listening, but hanging up on everyone until the provider is "up".
    idp = createServer((req, res) => (idpHandler ? idpHandler(req, res) : req.socket.destroy()));
    await new Promise<void>((r) => idp.listen(idpPort, '127.0.0.1', r));
    const config = writeConfig(`
auth:
  oidc:
    issuer: ${issuer}
    client_id: nines
    client_secret: "${CLIENT_SECRET}"
    roles: { nines-viewers: viewer, nines-oncall: responder }
    external_url: ${base}
    session_ttl: 1h
    scopes: [openid, profile, email, groups]
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://${redis.address}`, roles: 'api', env: { NINES_PORT: String(ninesPort) } });
    assert.equal(nines.url, base);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });

  after(async () => {
    // OIDC_E2E_LOG=path keeps Nines' log of the run for a look after a failure.
    if (process.env.OIDC_E2E_LOG) writeFileSync(process.env.OIDC_E2E_LOG, nines?.logs() ?? '');
    await browser?.close().catch(() => undefined);
    await nines?.stop();
    idp?.closeAllConnections();
    await new Promise((r) => idp?.close(r));
    await redis?.kill();
    await db?.drop().catch(() => undefined);
    dir.remove();
  });

  const startProvider = () => {
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'nines', client_secret: CLIENT_SECRET, redirect_uris: [`${nines.url}/auth/callback`], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' }],
      // Any password: the login name picks the user; their groups reach Nines through userinfo
      // (the provider keeps scope claims out of the ID token when an access token is issued).
      findAccount: (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: () => ({ sub: id, preferred_username: id, email: `${id}@example.com`, groups: GROUPS[id] ?? [] }),
      }),
      claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: ['groups'] },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: [randomBytes(16).toString('hex')] },
    });
    idpHandler = provider.callback();
  };

  /** Signs `login` in through the provider's form; returns the browser context, its page and the callback's status. */
  const signIn = async (login: string, path = '/auth/login'): Promise<{ ctx: BrowserContext; page: Page; callbackStatus: number }> => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/auth/callback' && u.searchParams.get('code')) codes.push(u.searchParams.get('code')!);
    });
    await page.goto(`${nines.url}${path}`);
    assert.ok(page.url().startsWith(issuer), `at the provider: ${page.url()}`);
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'anything');
    const callback = page.waitForResponse((r) => r.url().startsWith(`${nines.url}/auth/callback`));
    await page.click('button[type=submit]');
    // The provider asks for consent once per user, then redirects back to Nines.
    const consent = page.waitForSelector('button:has-text("Continue")', { timeout: 15_000 }).then(
      () => 'consent' as const,
      () => 'none' as const,
    );
    if ((await Promise.race([callback.then(() => 'back' as const), consent])) === 'consent') await page.click('button:has-text("Continue")');
    const res = await callback;
    await page.waitForLoadState();
    const c = await sessionCookie(ctx);
    if (c) sessionIds.push(c.value);
    return { ctx, page, callbackStatus: res.status() };
  };

  const sessionCookie = async (ctx: BrowserContext) => (await ctx.cookies(nines.url)).find((c) => c.name === 'nines_session');

  /** A request carrying a browser's cookies, as Node sends it (to set Origin and leave out the token at will). */
  const withCookie = (cookie: string, path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${nines.url}${path}`, { ...init, redirect: 'manual', headers: { cookie: `nines_session=${cookie}`, ...(init.headers ?? {}) } });

  const silence = (who: string) => JSON.stringify({ matchers: ['system="orders-db"'], ends_at: new Date(Date.now() + 3_600_000).toISOString(), created_by: who, comment: 'sign-in e2e' });

  const query = async <T>(sql: string, args: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql, args)).rows as T[];
    } finally {
      await c.end();
    }
  };

  it('starts while the provider is down: /auth/login answers 503 with a clear message, the API still answers', async () => {
    const res = await fetch(`${nines.url}/auth/login`, { redirect: 'manual' });
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'unavailable');
    assert.match(body.error.message, /sign-in is unavailable.*cannot be reached/);
    const html = await fetch(`${nines.url}/auth/login`, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(html.status, 503);
    assert.match(await html.text(), /Sign-in unavailable/);
    assert.equal((await fetch(`${nines.url}/api/v1/systems`)).status, 401, 'the API needs a token or a session');
    assert.equal((await fetch(`${nines.url}/auth/me`)).status, 401);
  });

  it('once the provider is up, sign-in is retried and redirects with PKCE S256, state and nonce', async () => {
    startProvider();
    const res = await waitFor('discovery retried', async () => {
      const r = await fetch(`${nines.url}/auth/login?return_to=/x`, { redirect: 'manual' });
      return r.status === 303 ? r : undefined;
    }, 20_000, 500);
    const to = new URL(res.headers.get('location')!);
    assert.equal(to.origin, issuer);
    assert.equal(to.searchParams.get('client_id'), 'nines');
    assert.equal(to.searchParams.get('response_type'), 'code');
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    assert.match(to.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(to.searchParams.get('state') && to.searchParams.get('nonce'));
    assert.equal(to.searchParams.get('redirect_uri'), `${nines.url}/auth/callback`);
    assert.match(res.headers.get('set-cookie')!, /^nines_login=[A-Za-z0-9_-]{43}; Path=\/auth\/callback; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it('a viewer signs in: /auth/me shows the mapped role; GET /api/v1/systems is allowed, POST /api/v1/silences is 403', async () => {
    // return_to leaving the site is ignored: the browser lands on / of Nines.
    const { ctx, page } = await signIn('vera', '/auth/login?return_to=https://evil.example/');
    try {
      assert.equal(page.url(), `${nines.url}/`);
      assert.equal(await page.textContent('#role'), 'viewer');
      const cookie = await sessionCookie(ctx);
      assert.ok(cookie, 'a session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.path, '/');
      assert.equal(cookie.secure, false, 'plain http external URL');
      assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
      const me = (await page.evaluate(async () => (await fetch('/auth/me')).json())) as Me;
      assert.equal(me.name, 'vera');
      assert.equal(me.role, 'viewer');
      const systems = await page.evaluate(async () => (await fetch('/api/v1/systems')).status);
      assert.equal(systems, 200);
      const body = silence('vera');
      const post: Answer = await page.evaluate(
        async ([token, b]) => {
          const r = await fetch('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: b });
          return { status: r.status, body: await r.json() };
        },
        [me.csrf_token, body] as const,
      );
      assert.equal(post.status, 403);
      assert.equal(post.body.error.code, 'forbidden');
      assert.match(post.body.error.message, /needs the responder role; vera is viewer/);
      // Only the cookie's hash is stored.
      const rows = await query<{ hash: string; name: string; role: string }>(`select hash, name, role from sessions where name = 'vera'`);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].role, 'viewer');
      assert.notEqual(rows[0].hash, cookie.value);
    } finally {
      await ctx.close();
    }
  });

  it('a responder session writes only with X-CSRF-Token and from our own origin; logout ends it on the server', async () => {
    const { ctx, page } = await signIn('rick', '/auth/login?return_to=/auth/me');
    try {
      assert.equal(page.url(), `${nines.url}/auth/me`, 'return_to, a path on this site, is honoured');
      const me = (await page.evaluate(async () => (await fetch('/auth/me')).json())) as Me;
      assert.equal(me.role, 'responder');
      // In the browser: the page's own script, without and then with the token.
      const without: Answer = await page.evaluate(async (b) => {
        const r = await fetch('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
        return { status: r.status, body: await r.json() };
      }, silence('rick'));
      assert.equal(without.status, 403);
      assert.match(without.body.error.message, /X-CSRF-Token/);
      const withToken: Answer = await page.evaluate(
        async ([token, b]) => {
          const r = await fetch('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: b });
          return { status: r.status, body: await r.json() };
        },
        [me.csrf_token, silence('rick')] as const,
      );
      assert.equal(withToken.status, 201, JSON.stringify(withToken.body));
      assert.ok(withToken.body.id, 'a silence');

      const cookie = (await sessionCookie(ctx))!.value;
      const json = { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token };
      const wrongToken = await withCookie(cookie, '/api/v1/silences', { method: 'POST', headers: { ...json, 'x-csrf-token': randomBytes(32).toString('base64url') }, body: silence('rick') });
      assert.equal(wrongToken.status, 403);
      const crossOrigin = await withCookie(cookie, '/api/v1/silences', { method: 'POST', headers: { ...json, origin: 'http://evil.example' }, body: silence('rick') });
      assert.equal(crossOrigin.status, 403);
      assert.match(((await crossOrigin.json()) as { error: { message: string } }).error.message, /cross-origin/);
      const sameOrigin = await withCookie(cookie, '/api/v1/silences', { method: 'POST', headers: { ...json, origin: nines.url }, body: silence('rick') });
      assert.equal(sameOrigin.status, 201);

      // A page on another origin posting a form with the browser's cookie gets nothing done.
      const before = (await query<{ n: number }>(`select count(*)::int as n from silences`))[0].n;
      const evil = await page.context().newPage();
      await evil.goto(`${issuer}/.well-known/openid-configuration`);
      await evil.evaluate(async (url) => {
        await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{}' });
      }, `${nines.url}/api/v1/silences`);
      assert.equal((await query<{ n: number }>(`select count(*)::int as n from silences`))[0].n, before);

      // Logout: without the token refused, with it the session ends for every request.
      assert.equal((await withCookie(cookie, '/auth/logout', { method: 'POST' })).status, 403);
      await page.goto(`${nines.url}/`);
      assert.equal(await page.textContent('#role'), 'responder');
      const loggedOut = page.waitForResponse((r) => r.url() === `${nines.url}/auth/logout`);
      await page.click('#signout');
      assert.equal((await loggedOut).status(), 204);
      await waitFor('the signed-out page', async () => (await page.locator('#signin').count()) > 0);
      assert.equal((await withCookie(cookie, '/api/v1/systems')).status, 401, 'the old cookie is worthless now');
      const meAfter = await withCookie(cookie, '/auth/me');
      assert.equal(meAfter.status, 401);
      assert.equal((await query(`select 1 from sessions where name = 'rick'`)).length, 0);
      assert.equal(await sessionCookie(ctx), undefined, 'the browser dropped the cookie');
    } finally {
      await ctx.close();
    }
  });

  it('a user whose groups map to no role gets a 403 page and no session', async () => {
    const { ctx, page, callbackStatus } = await signIn('stranger');
    try {
      assert.equal(callbackStatus, 403);
      assert.match((await page.textContent('#refused'))!, /stranger.*groups.*staff.*marketing.*no Nines role/s);
      assert.equal(await sessionCookie(ctx), undefined);
      assert.equal((await query(`select 1 from sessions where name = 'stranger'`)).length, 0);
    } finally {
      await ctx.close();
    }
  });

  it('a replayed or forged callback starts no session', async () => {
    const res = await fetch(`${nines.url}/auth/callback?code=forged&state=forged`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('set-cookie')?.includes('nines_session=') ?? false, false);
  });

  it('the audit log has session.start (name, role, claim values) and session.end', async () => {
    const rows = await query<{ actor: string; role: string; action: string; after: Record<string, unknown> | null; address: string | null }>(
      `select actor, role, action, after, address from audit_log where action like 'session.%' order by id`,
    );
    const starts = rows.filter((r) => r.action === 'session.start');
    assert.deepEqual(
      starts.map((r) => [r.actor, r.role, r.after]),
      [
        ['vera', 'viewer', { name: 'vera', role: 'viewer', claims: ['staff', 'nines-viewers'] }],
        ['rick', 'responder', { name: 'rick', role: 'responder', claims: ['nines-viewers', 'nines-oncall'] }],
      ],
    );
    const ends = rows.filter((r) => r.action === 'session.end');
    assert.deepEqual(ends.map((r) => [r.actor, r.role, r.after]), [['rick', 'responder', { reason: 'logout' }]]);
    assert.ok(rows.every((r) => r.address), 'with the client address');
    // A write through a session is recorded as the signed-in user.
    const silences = await query<{ actor: string; role: string }>(`select actor, role from audit_log where action = 'silence.create'`);
    assert.deepEqual(silences, [{ actor: 'rick', role: 'responder' }, { actor: 'rick', role: 'responder' }]);
  });

  it('no secret of the flow reaches the logs: client secret, codes, session ids, CSRF tokens', async () => {
    const logs = nines.logs();
    assert.ok(logs.includes('session started'), 'the sign-ins were logged');
    assert.ok(codes.length >= 3, `codes seen: ${codes.length}`);
    assert.ok(!logs.includes(CLIENT_SECRET), 'client secret');
    for (const c of codes) assert.ok(!logs.includes(c), 'an authorization code');
    assert.equal(sessionIds.length, 2);
    for (const id of sessionIds) assert.ok(!logs.includes(id), 'a session id');
    const csrf = await query<{ csrf: string; hash: string }>(`select csrf, hash from sessions`);
    for (const r of csrf) {
      assert.ok(!logs.includes(r.csrf), 'a CSRF token');
      assert.ok(!logs.includes(r.hash), 'a session hash');
    }
  });
});
