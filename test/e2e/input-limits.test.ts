import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { freshDatabase } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { closedPort } from '../support/servers/tcp';
import { getJson } from '../support/wait';

const HOUR = 3_600_000;

const configYaml = (down: number, limits: string) => `
limits: ${limits}
defaults: { interval: 5s, timeout: 1s }
systems:
  - name: orders
    layer: storage
    kind: postgres
    members:
      - name: pg1
        probe: { kind: tcp, address: "127.0.0.1:${down}" }
`;

/**
 * The abuse limits on input, through a real Nines process and its PostgreSQL: label sets,
 * request bodies (size from limits.body, depth, NUL, charset), silence matchers (Alertmanager's
 * rule, RE2 regexes), the open-silence and API-SLO counts, and a reload changing the limits.
 */
describe('input limits (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let sql: Client;
  let redis: RedisNode;
  const dir = tempDir('input-limits');
  let nines: NinesProcess;
  let configPath: string;
  let down: number;

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    getJson(`${nines.url}/api/v1/${path}`, { method: 'POST', headers, body });
  const postJson = (path: string, body: unknown) => post(path, JSON.stringify(body));
  const reload = async (limits: string) => {
    writeFileSync(configPath, configYaml(down, limits));
    return postJson('config/reload', {});
  };
  const am = (labels: unknown, annotations: unknown = { summary: 's' }) => ({ version: '4', alerts: [{ status: 'firing', labels, annotations, startsAt: new Date().toISOString() }] });
  const silence = (matchers: unknown) => ({ matchers, ends_at: new Date(Date.now() + HOUR).toISOString(), created_by: 'test', comment: 'limits' });
  const expectError = (r: { status: number; body: any }, status: number, field?: string) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'details', 'message']);
    if (field) assert.equal(r.body.error.details.field, field, JSON.stringify(r.body));
  };

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('input_limits');
    down = await closedPort();
    configPath = writeConfig(configYaml(down, '{ body: 4kb, open_silences: 3, api_slos: 2, labels: { count: 4, name_length: 20, value_length: 100 } }'));
    nines = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${redis.port}`, env: { NINES_LOG_LEVEL: 'info' } });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  after(async () => {
    await sql?.end();
    await nines?.stop();
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  it('an Alertmanager alert whose labels or annotations are a list is a 400 naming the field, and nothing is stored', async () => {
    const before = (await sql.query(`select count(*)::int as n from events`)).rows[0].n;
    expectError(await postJson('events/alertmanager', am(['x', 'y'])), 400, 'alerts[0].labels');
    expectError(await postJson('events/alertmanager', am({ system: 'orders' }, [1, 2])), 400, 'alerts[0].annotations');
    expectError(await postJson('events/alertmanager', am({ system: 'orders', nested: { a: 1 } })), 400, 'alerts[0].labels.nested');
    expectError(await postJson('events/alertmanager', am({ system: 'orders', 'bad-name': 'x' })), 400, 'alerts[0].labels');
    assert.equal((await sql.query(`select count(*)::int as n from events`)).rows[0].n, before);
    const ok = await postJson('events/alertmanager', am({ alertname: 'DiskFull', system: 'orders', code: 503 }));
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    const [row] = (await sql.query(`select details from events where details->>'source_kind' = 'alertmanager' order by id desc limit 1`)).rows;
    assert.deepEqual(row.details.labels, { alertname: 'DiskFull', system: 'orders', code: '503' });
  });

  it('label sets are bounded by limits.labels, and a reload changes the bounds', async () => {
    const five = { alertname: 'A', system: 'orders', a: '1', b: '2', c: '3' };
    const r = await postJson('events/alertmanager', am(five));
    expectError(r, 400, 'alerts[0].labels');
    assert.match(r.body.error.message, /has 5 labels; at most 4 are allowed \(limits\.labels\.count\)/);
    expectError(await postJson('events/alertmanager', am({ system: 'orders', v: 'x'.repeat(101) })), 400, 'alerts[0].labels.v');
    expectError(await postJson('events/alertmanager', am({ system: 'orders', ['n'.repeat(21)]: 'x' })), 400, 'alerts[0].labels');

    assert.equal((await reload('{ body: 4kb, open_silences: 3, api_slos: 2, labels: { count: 8, name_length: 20, value_length: 100 } }')).status, 200);
    assert.equal((await postJson('events/alertmanager', am(five))).status, 202);
  });

  it('a body over limits.body is a 413 in the error shape; a reload raises the limit', async () => {
    const big = JSON.stringify({ system: 'orders', message: 'x'.repeat(6_000) });
    expectError(await post('events/generic', big), 413);
    assert.equal((await reload('{ body: 64kb, open_silences: 3, api_slos: 2, labels: { count: 8, name_length: 20, value_length: 100 } }')).status, 200);
    const r = await post('events/generic', big);
    assert.equal(r.status, 400, JSON.stringify(r.body)); // read now, and refused for its field, not its size
    assert.match(r.body.error.message, /message must be at most 2000 characters/);
  });

  it('deep JSON, NUL, invalid UTF-8 and odd content types are 4xx, never 500', async () => {
    const deep = await post('events/generic', '['.repeat(30_000) + ']'.repeat(30_000)); // 60 kB: within limits.body
    expectError(deep, 400);
    assert.match(deep.body.error.message, /nests deeper than 64 levels/);
    expectError(await post('events/generic', `{"system":"orders","message":${'['.repeat(1000)}${']'.repeat(1000)}}`), 400);
    const nul = await postJson('events/generic', { system: 'orders', message: 'a\u0000b' });
    expectError(nul, 400, 'message');
    expectError(await getJson(`${nines.url}/api/v1/alerts?system=a%00b`), 400, 'query.system');
    expectError(await postJson('silences', { ...silence(['system="orders"']), comment: 'x\u0000' }), 400, 'comment');
    const bad = Buffer.concat([Buffer.from('{"system":"orders","message":"caf'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    assert.equal((await post('events/generic', bad)).status, 202); // decoded with U+FFFD: stored harmlessly
    expectError(await post('events/generic', '{}', { 'content-type': 'application/json; charset=latin1' }), 415);
    expectError(await post('events/generic', 'system=orders', { 'content-type': 'text/plain' }), 400);
    expectError(await post('events/generic', 'not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400);
  });

  it('silences: Alertmanager refuses matchers that all match the empty string, RE2 refuses backreferences, regex bombs are harmless', async () => {
    for (const m of [['alertname=~".*"'], ['foo=""'], ['alertname=~".*"', 'foo=""']]) {
      const r = await postJson('silences', silence(m));
      expectError(r, 400, 'matchers');
      assert.match(r.body.error.message, /at least one matcher must not match the empty string/);
    }
    const backref = await postJson('silences', silence(['system="orders"', 'alertname=~"(a)\\\\1"']));
    expectError(backref, 400);
    assert.match(backref.body.error.message, /matchers\[1\]: is not a matcher list: at column \d+: invalid regular expression .*RE2/);

    // A regex bomb is a valid RE2 pattern: stored, and matched in linear time against a long label.
    const bomb = await postJson('silences', silence(['alertname=~"(a+)+$"', 'system=~"(.*a){20}"']));
    assert.equal(bomb.status, 201, JSON.stringify(bomb.body));
    const t = Date.now();
    assert.equal((await postJson('events/alertmanager', am({ alertname: `${'a'.repeat(90)}!`, system: 'orders' }))).status, 202);
    assert.equal((await getJson(`${nines.url}/readyz`)).status, 200);
    assert.ok(Date.now() - t < 30_000);
  });

  it('open silences beyond limits.open_silences and API SLOs beyond limits.api_slos are 409 naming the limit', async () => {
    // One open silence exists from the test above; two more reach the limit of 3.
    for (let i = 0; i < 2; i++) assert.equal((await postJson('silences', silence([`system="s${i}"`]))).status, 201);
    const over = await postJson('silences', silence(['system="one-too-many"']));
    expectError(over, 409);
    assert.equal(over.body.error.details.limit, 'open_silences');
    assert.match(over.body.error.message, /3 open silences already, the limit \(limits\.open_silences\) is 3/);
    const id = (await getJson(`${nines.url}/api/v1/silences`)).body.silences[0].id;
    assert.equal((await getJson(`${nines.url}/api/v1/silences/${id}`, { method: 'DELETE' })).status, 200);
    assert.equal((await postJson('silences', silence(['system="room-again"']))).status, 201);

    const slo = (name: string, extra: object = {}) => ({ name, selector: { system: 'orders' }, objective: 99.9, window: '30d', created_by: 'test', ...extra });
    const badLabels = await postJson('slos', slo('labelled', { labels: { team: 'x'.repeat(101) } }));
    expectError(badLabels, 400);
    assert.match(badLabels.body.error.message, /labels\.team: is 101 characters long/);
    assert.equal((await postJson('slos', slo('one'))).status, 201);
    assert.equal((await postJson('slos', slo('two'))).status, 201);
    const third = await postJson('slos', slo('three'));
    expectError(third, 409);
    assert.equal(third.body.error.details.limit, 'api_slos');
  });

  it('a billion-laughs config is refused on reload with one line, and the running config stays', async () => {
    let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (const n of 'bcdefghi') {
      bomb += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      prev = n;
    }
    writeFileSync(configPath, bomb);
    const r = await postJson('config/reload', {});
    expectError(r, 400);
    assert.deepEqual(r.body.error.details, [{ path: '(root)', message: 'YAML syntax error: too many alias expansions (at most 100): refused as a "billion laughs" document' }]);
    assert.equal((await getJson(`${nines.url}/api/v1/systems`)).status, 200);
    assert.equal(nines.proc.exitCode, null);
  });
});
