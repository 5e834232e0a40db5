import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { signAck } from '../../libs/alerting/src/ack-token';
import type { IngestSource, Requirement, Role } from '../../libs/access/src/authorize';
import { freshDatabase } from '../support/env';
import { MAIN, startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { declaredRoutes, type DeclaredRoute } from '../support/routes';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { closedPort, getJson, getText, waitFor } from '../support/wait';

const ACK_SECRET = 'access-test-ack-secret-0123456789';

/** The principals of the matrix: each role, each ingest source, and the ways a token fails. */
type Who = 'none' | Role | `ingest:${IngestSource}` | 'expired' | 'revoked' | 'garbage';
const ROLES_ORDER: Role[] = ['viewer', 'responder', 'admin'];

/** What the access rules say a principal gets on a route: in, 401 or 403 (the default config: metrics, healthz, readyz and docs public). */
function expected(need: Requirement, who: Who): 'in' | 401 | 403 {
  if ('open' in need || 'public' in need) return 'in';
  if (who === 'none' || who === 'expired' || who === 'revoked' || who === 'garbage') return 401;
  if ('ingest' in need) return who === `ingest:${need.ingest}` || who === 'admin' ? 'in' : 403;
  if (who.startsWith('ingest:')) return 403;
  return ROLES_ORDER.indexOf(who as Role) >= ROLES_ORDER.indexOf(need.role) ? 'in' : 403;
}

const fill = (path: string) => path.replace(':id', '1').replace(':name', 'nothing-here').replace(':token', 'not-a-link');

function config(extra = ''): string {
  return `
defaults: { interval: 1s, timeout: 500ms }
systems:
  - name: web
    layer: storage
    kind: postgres
    members:
      - name: pg1
        probe: { kind: postgres, url: "postgres://postgres@127.0.0.1:${CLOSED}/x" }
  - name: edge-vip
    layer: network
    kind: keepalived
    members:
      - name: lb1
        probe: { kind: http, url: "http://127.0.0.1:${CLOSED}/" }
targets:
  - name: web-tcp
    probe: { kind: tcp, address: "127.0.0.1:${CLOSED}" }
alerting:
  ack_secret: "${ACK_SECRET}"
limits: { writes_per_minute: 100000, ingest_per_minute: 100000 }
${extra}`;
}
let CLOSED = 0;

describe('access control, audit and rate limits (real process)', () => {
  const dir = tempDir('access');
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let nines: NinesProcess;
  let configPath: string;
  let sql: Client;
  const tokens = {} as Record<Who, string>;
  const cliEnv = () => ({ ...process.env, DATABASE_URL: db.url, NINES_CONFIG: configPath });

  function cli(...args: string[]) {
    const r = spawnSync(process.execPath, [MAIN, 'token', ...args], { env: { ...cliEnv(), USER: 'ops-laptop' }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const auth = (who: Who): Record<string, string> => (who === 'none' ? {} : { authorization: `Bearer ${tokens[who]}` });
  // The CLI's spawnSync blocks this process for longer than the server's keep-alive: a pooled
  // connection the server closed meanwhile fails before the request is sent, so one retry is safe.
  const api = async (path: string, who: Who, init: RequestInit = {}) => {
    const go = () => getJson(`${nines.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...auth(who), ...(init.headers as Record<string, string>) } });
    try {
      return await go();
    } catch (err) {
      if (!/other side closed|ECONNRESET|socket/i.test(String((err as { cause?: unknown }).cause ?? err))) throw err;
      return go();
    }
  };

  before(async () => {
    CLOSED = await closedPort();
    redis = await startRedis(dir.path);
    db = await freshDatabase('access');
    configPath = writeConfig(config());
    // Tokens come from the CLI, as an operator's first ones do; create prints the token alone on its last line.
    const made: [Who, string[]][] = [
      ['viewer', ['--role', 'viewer']],
      ['responder', ['--role', 'responder']],
      ['admin', ['--role', 'admin']],
      ['ingest:keepalived', ['--role', 'ingest', '--source', 'keepalived']],
      ['ingest:alertmanager', ['--role', 'ingest', '--source', 'alertmanager']],
      ['ingest:generic', ['--role', 'ingest', '--source', 'generic']],
      ['ingest:heartbeat', ['--role', 'ingest', '--source', 'heartbeat']],
      ['expired', ['--role', 'admin', '--expires', '1ms']],
      ['revoked', ['--role', 'admin']],
    ];
    for (const [who, args] of made) {
      const r = cli('create', '--name', who.replace(':', '-'), ...args);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines.at(-1)!, /^nines_[A-Za-z0-9_-]{43}$/, 'the token alone on the last line');
      tokens[who] = lines.at(-1)!;
    }
    assert.equal(cli('revoke', 'revoked').code, 0);
    tokens.garbage = 'nines_' + 'A'.repeat(43);
    nines = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0` });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  after(async () => {
    await nines?.stop();
    await sql?.end();
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  it('every route of every controller declares who may call it', () => {
    const routes = declaredRoutes();
    assert.ok(routes.length >= 35, `found only ${routes.length} routes: is the catalogue reading the controllers?`);
    const undeclared = routes.filter((r) => !r.requires).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`);
    assert.deepEqual(undeclared, [], 'routes without @NeedsRole/@Ingest/@Public/@Open');
  });

  it('matrix: every route x {no token, each role, each ingest source, expired, revoked, unknown} answers as declared', async () => {
    const whos: Who[] = ['none', 'viewer', 'responder', 'admin', 'ingest:keepalived', 'ingest:alertmanager', 'ingest:generic', 'ingest:heartbeat', 'expired', 'revoked', 'garbage'];
    const wrong: string[] = [];
    let n = 0;
    const routes: DeclaredRoute[] = declaredRoutes().filter((r) => r.requires);
    for (const r of routes) {
      let baseline: number | undefined;
      for (const who of whos) {
        const want = expected(r.requires!, who);
        // Bodies are empty: the request must get past access and then fail validation (4xx), or succeed.
        const ac = new AbortController();
        const res = await fetch(`${nines.url}${fill(r.path)}`, { method: r.method, headers: { 'content-type': 'application/json', ...auth(who) }, body: r.method === 'GET' ? undefined : '{}', signal: ac.signal });
        // A live stream (the console's server-sent events) never ends: its status is the answer, and
        // aborting (not just cancelling the body) makes sure its connection is never reused.
        const streaming = res.headers.get('content-type')?.startsWith('text/event-stream');
        if (streaming) ac.abort();
        const text = streaming ? '' : await res.text();
        n++;
        const got = res.status;
        const isOpen = 'open' in r.requires! || 'public' in r.requires!;
        baseline ??= got;
        // An open route ignores who calls: every principal gets what no token gets (the sign-in
        // routes answer 401/403 themselves, for a missing session or CSRF token).
        const ok = isOpen ? got === baseline && got < 500 : want === 'in' ? got !== 401 && got !== 403 && got < 500 : got === want;
        if (!ok) wrong.push(`${r.method} ${r.path} as ${who}: want ${isOpen ? `${baseline} as without a token` : want}, got ${got} ${text.slice(0, 120)}`);
        if (!isOpen && (got === 401 || got === 403)) {
          const body = JSON.parse(text);
          assert.equal(body.error.code, got === 401 ? 'unauthorized' : 'forbidden', `${r.method} ${r.path} as ${who}: error shape`);
          assert.equal(typeof body.error.message, 'string');
          if (got === 401) assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="nines"');
        }
        assert.ok(!text.includes(tokens[who] ?? '\u0000'), `${r.method} ${r.path} echoes the token`);
      }
    }
    console.log(`access matrix: ${routes.length} routes x ${whos.length} principals = ${n} requests, ${wrong.length} wrong`);
    assert.deepEqual(wrong, []);
  });

  it('401 names why: expired and revoked tokens say so; the OpenAPI page and /metrics stay open', async () => {
    assert.match((await api('/api/v1/systems', 'expired')).body.error.message, /has expired/);
    assert.match((await api('/api/v1/systems', 'revoked')).body.error.message, /was revoked/);
    assert.match((await api('/api/v1/systems', 'none')).body.error.message, /nines token create/);
    assert.match((await api('/api/v1/silences', 'viewer', { method: 'POST', body: '{}' })).body.error.message, /needs the responder role; viewer is viewer/);
    assert.equal((await getText(`${nines.url}/docs/`)).status, 200);
    assert.equal((await getText(`${nines.url}/metrics`)).status, 200);
  });

  it('tokens over the API: admin creates (shown once), lists (never the token or its hash), revokes (401 at once)', async () => {
    const created = await api('/api/v1/tokens', 'admin', { method: 'POST', body: JSON.stringify({ name: 'grafana', role: 'viewer', expires: '30d' }) });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^nines_/);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const t = created.body.token as string;
    assert.equal((await getJson(`${nines.url}/api/v1/systems`, { headers: { authorization: `Bearer ${t}` } })).status, 200);
    // Last use is written in the background, at most once a minute per token.
    const list = await waitFor('last use of grafana recorded', async () => {
      const l = await api('/api/v1/tokens', 'admin');
      return l.body.some((r: { name: string; last_used_at: string | null }) => r.name === 'grafana' && r.last_used_at) && l;
    });
    const text = JSON.stringify(list.body);
    assert.ok(!text.includes(t) && !/hash/.test(text), 'the list shows neither the token nor its hash');
    const [{ hash }] = (await sql.query(`select hash from api_tokens where name = 'grafana'`)).rows;
    assert.ok(!text.includes(hash));
    assert.notEqual(hash, t);
    assert.equal((await api('/api/v1/tokens', 'admin', { method: 'POST', body: JSON.stringify({ name: 'grafana', role: 'viewer' }) })).status, 409);
    assert.equal((await api('/api/v1/tokens', 'admin', { method: 'POST', body: JSON.stringify({ name: 'x', role: 'root' }) })).body.error.details.field, 'role');
    assert.equal((await api('/api/v1/tokens', 'admin', { method: 'POST', body: JSON.stringify({ name: 'x', role: 'ingest' }) })).body.error.details.field, 'source');
    assert.equal((await api('/api/v1/tokens/grafana', 'admin', { method: 'DELETE' })).status, 200);
    const after = await getJson(`${nines.url}/api/v1/systems`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal(after.status, 401);
    assert.match(after.body.error.message, /revoked/);
    // The CLI lists the same tokens.
    const listed = cli('list');
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^NAME\s+ROLE/);
    assert.match(listed.stdout, /responder\s+responder/);
    assert.ok(!listed.stdout.includes('grafana'), 'revoked tokens are listed only with --revoked');
    assert.match(cli('list', '--revoked').stdout, /grafana/);
  });

  it('every state change is an audit row: who, role, address, what, before and after', async () => {
    const since = new Date().toISOString();
    // Silence create and expire, as a responder.
    const s = await api('/api/v1/silences', 'responder', { method: 'POST', body: JSON.stringify({ matchers: ['system="web"'], ends_at: new Date(Date.now() + 3_600_000).toISOString(), created_by: 'someone-else', comment: 'deploy' }) });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.equal((await api(`/api/v1/silences/${s.body.id}`, 'responder', { method: 'DELETE' })).status, 200);
    // An incident from a generic event (its own ingest token), acknowledged over the API and by a signed link.
    const ev = await api('/api/v1/events/generic', 'ingest:generic', { method: 'POST', body: JSON.stringify({ system: 'payments', message: 'card auth failing', severity: 'critical' }) });
    assert.equal(ev.status, 202, JSON.stringify(ev.body));
    const incident = ev.body.incidents.at(-1) as number;
    assert.ok(incident > 0);
    assert.equal((await api(`/api/v1/incidents/${incident}/ack`, 'responder', { method: 'POST', body: JSON.stringify({ by: 'not-me' }) })).status, 200);
    const ev2 = await api('/api/v1/events/generic', 'ingest:generic', { method: 'POST', body: JSON.stringify({ system: 'search', message: 'cluster red', severity: 'critical' }) });
    const link = signAck(ACK_SECRET, ev2.body.incidents.at(-1), Date.now() + 3_600_000);
    assert.equal((await getJson(`${nines.url}/api/v1/ack/${link}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'bob from the link' }) })).status, 200);
    const ka = await api('/api/v1/events/keepalived', 'ingest:keepalived', { method: 'POST', body: JSON.stringify({ system: 'edge-vip', node: 'lb1', state: 'MASTER', name: 'VI_1', priority: 150 }) });
    assert.equal(ka.status, 202, JSON.stringify(ka.body));
    await api('/api/v1/events/alertmanager', 'ingest:alertmanager', { method: 'POST', body: JSON.stringify({ version: '4', alerts: [{ status: 'firing', labels: { alertname: 'Down', system: 'orders' }, startsAt: new Date().toISOString() }] }) });
    // Drill, SLO and reload as admin.
    await api('/api/v1/drills', 'admin', { method: 'POST', body: JSON.stringify({ system: 'web', action: 'start' }) });
    await api('/api/v1/drills', 'admin', { method: 'POST', body: JSON.stringify({ system: 'web', action: 'stop' }) });
    assert.equal((await api('/api/v1/slos', 'admin', { method: 'POST', body: JSON.stringify({ name: 'web-avail', selector: { system: 'web' }, objective: 99.5, window: '7d', created_by: 'claimed' }) })).status, 201);
    assert.equal((await api('/api/v1/slos/web-avail', 'admin', { method: 'DELETE' })).status, 200);
    assert.equal((await api('/api/v1/config/reload', 'admin', { method: 'POST' })).status, 200);

    const log = await api(`/api/v1/audit?since=${since}&limit=1000`, 'admin');
    assert.equal(log.status, 200);
    type Row = { at: string; actor: string; role: string; address: string | null; action: string; target: string | null; before: any; after: any };
    const rows = log.body as Row[];
    const one = (action: string, pred: (r: Row) => boolean = () => true) => {
      const r = rows.find((x) => x.action === action && pred(x));
      assert.ok(r, `no ${action} row in ${JSON.stringify(rows.map((x) => x.action))}`);
      assert.ok(!Number.isNaN(Date.parse(r.at)));
      return r;
    };
    const created = one('silence.create');
    assert.deepEqual([created.actor, created.role, created.address], ['responder', 'responder', '127.0.0.1']);
    assert.equal(created.after.created_by, 'responder', 'a token holder cannot put another name on a silence');
    assert.deepEqual(created.after.matchers, ['system="web"']);
    const expired = one('silence.expire');
    assert.equal(expired.before.id, s.body.id);
    assert.equal(expired.after.status, 'expired');
    const acked = one('incident.ack', (r) => r.role === 'responder');
    assert.equal(acked.target, String(incident));
    assert.equal(acked.after.acknowledged_by, 'responder');
    assert.equal(acked.before.acknowledged_at, null);
    const byLink = one('incident.ack', (r) => r.role === 'ack-link');
    assert.equal(byLink.actor, 'bob from the link');
    assert.equal(one('drill.start').after.started_by, 'admin');
    assert.ok(one('drill.stop').after.ended_at);
    assert.equal(one('slo.create').after.created_by, 'admin');
    assert.equal(one('slo.delete').before.name, 'web-avail');
    assert.equal(one('config.reload').after.status, 'reloaded');
    assert.equal(one('ingest.accepted', (r) => r.role === 'ingest:generic' && r.target === 'generic:payments').after.severity, 'critical');
    assert.equal(one('ingest.accepted', (r) => r.role === 'ingest:keepalived').after.state, 'MASTER');
    assert.equal(one('ingest.accepted', (r) => r.role === 'ingest:alertmanager').after.alerts, 1);
    // Earlier tests' token changes, from the API and from the CLI.
    const all = (await api('/api/v1/audit?action=token.&limit=1000', 'admin')).body as Row[];
    assert.ok(all.some((r) => r.action === 'token.create' && r.actor === 'ops-laptop' && r.role === 'cli'));
    assert.ok(all.some((r) => r.action === 'token.revoke' && r.target === 'grafana' && r.actor === 'admin' && r.before.revoked_at === null && r.after.revoked_at));
    assert.ok(all.every((r) => !JSON.stringify(r).includes('nines_')), 'no token in the audit log');
    // Filters.
    const mine = (await api(`/api/v1/audit?actor=responder&since=${since}`, 'admin')).body as Row[];
    assert.ok(mine.length >= 3 && mine.every((r) => r.actor === 'responder'));
    assert.equal((await api('/api/v1/audit?action=drop.table', 'admin')).status, 400);
    assert.equal((await api('/api/v1/audit', 'responder')).status, 403);
  });

  it('the audit log cannot be edited: no route changes it, and the database refuses UPDATE and DELETE', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) assert.equal((await api('/api/v1/audit', 'admin', { method, body: '{}' })).status, 404, method);
    await assert.rejects(sql.query(`update audit_log set actor = 'nobody'`), /append-only/);
    await assert.rejects(sql.query(`delete from audit_log`), /append-only/);
  });

  it('rate limits: writes and ingest past the limit get 429 with Retry-After, per token and per address', async () => {
    writeFileSync(configPath, config().replace('limits: { writes_per_minute: 100000, ingest_per_minute: 100000 }', 'limits: { writes_per_minute: 5, ingest_per_minute: 8 }'));
    assert.equal((await api('/api/v1/config/reload', 'admin', { method: 'POST' })).status, 200);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const r = await api('/api/v1/drills', 'responder', { method: 'POST', body: JSON.stringify({ system: 'nope', action: 'stop' }) });
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        assert.equal(r.body.error.code, 'too_many_requests');
      }
    }
    // The reload itself was the admin's first write; the address bucket (shared) had 1 taken.
    assert.ok(statuses.filter((s) => s === 429).length >= 3, `statuses ${statuses}`);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
    // Reads are not limited.
    for (let i = 0; i < 20; i++) assert.equal((await api('/api/v1/systems', 'viewer')).status, 200);
    // Ingest has its own, larger budget.
    const ingest: number[] = [];
    for (let i = 0; i < 12; i++) ingest.push((await api('/api/v1/events/generic', 'ingest:generic', { method: 'POST', body: JSON.stringify({ system: 'x', message: 'm', severity: 'info' }) })).status);
    assert.deepEqual(ingest.slice(0, 8), Array(8).fill(202), `ingest ${ingest}`);
    assert.ok(ingest.slice(8).every((s) => s === 429), `ingest ${ingest}`);
    writeFileSync(configPath, config());
    // Limits hold across replicas: the budget is in Redis. Wait for a slot, then reload.
    await waitFor('a write slot', async () => (await api('/api/v1/config/reload', 'admin', { method: 'POST' })).status === 200, 30_000, 1000);
  });

  it('anonymous read is a config choice: auth.anonymous viewer lets reads in, never writes', async () => {
    writeFileSync(configPath, config('auth: { anonymous: viewer, public: [healthz, readyz] }'));
    assert.equal((await api('/api/v1/config/reload', 'admin', { method: 'POST' })).status, 200);
    assert.equal((await api('/api/v1/systems', 'none')).status, 200);
    assert.equal((await api('/api/v1/silences', 'none', { method: 'POST', body: '{}' })).status, 401);
    // metrics left auth.public: it now needs viewer (anonymous viewer included), docs too.
    assert.equal((await getText(`${nines.url}/metrics`)).status, 200);
    writeFileSync(configPath, config('auth: { public: [healthz, readyz] }'));
    assert.equal((await api('/api/v1/config/reload', 'admin', { method: 'POST' })).status, 200);
    assert.equal((await getText(`${nines.url}/metrics`)).status, 401);
    assert.equal((await getText(`${nines.url}/docs/`)).status, 401);
    assert.equal((await getText(`${nines.url}/metrics`, { headers: auth('viewer') })).status, 200);
    assert.equal((await getText(`${nines.url}/healthz`)).status, 200);
    writeFileSync(configPath, config());
    assert.equal((await api('/api/v1/config/reload', 'admin', { method: 'POST' })).status, 200);
  });

  it('no token ever reaches the logs or /metrics', async () => {
    const metrics = (await getText(`${nines.url}/metrics`)).text;
    for (const [who, t] of Object.entries(tokens)) {
      assert.ok(!nines.logs().includes(t), `the log holds ${who}'s token`);
      assert.ok(!metrics.includes(t), `/metrics holds ${who}'s token`);
    }
  });
});

describe('safe by default at start-up (real process)', () => {
  const dir = tempDir('access-start');
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('access_start');
  });
  after(async () => {
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  it('refuses to listen beyond loopback with no token, saying how to make the first; starts once one exists; loopback stays open', async () => {
    const configPath = writeConfig('targets: []\n');
    const env = { ...process.env, NINES_CONFIG: configPath, DATABASE_URL: db.url, REDIS_URL: `redis://${redis.address}/0`, NINES_PORT: '0', NINES_HOST: '0.0.0.0' };
    const refused = spawnSync(process.execPath, [MAIN, 'start'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(refused.status, 1);
    const lines = refused.stderr.trim().split('\n');
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0], /^nines: refusing to listen beyond loopback with no API token: create the first admin token with `nines token create --name admin --role admin`/);

    // On loopback with no token, the API is open (local development).
    let nines = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0`, roles: 'api' });
    assert.equal((await getJson(`${nines.url}/api/v1/systems`)).status, 200);
    const made = spawnSync(process.execPath, [MAIN, 'token', 'create', '--name', 'admin', '--role', 'admin'], { env, encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    // Once a token exists, loopback is no exception (within the one-second lookup cache).
    await waitFor('the open API to close', async () => (await getJson(`${nines.url}/api/v1/systems`)).status === 401, 5000);
    await nines.stop();

    nines = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0`, roles: 'api', env: { NINES_HOST: '0.0.0.0' } });
    const port = new URL(nines.url).port;
    assert.equal((await getJson(`http://127.0.0.1:${port}/api/v1/systems`)).status, 401);
    assert.equal((await getJson(`http://127.0.0.1:${port}/api/v1/systems`, { headers: { authorization: `Bearer ${made.stdout.trim().split('\n').at(-1)}` } })).status, 200);
    await nines.stop();
  });
});
