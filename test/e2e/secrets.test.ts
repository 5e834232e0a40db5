import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { freshDatabase, redisUrlFor } from '../support/env';
import { NinesProcess, startNinesProcess, writeConfig } from '../support/nines-process';
import { closedPort, getJson, getText, waitFor } from '../support/wait';

// Every secret the config holds; none may show up anywhere a user or a log reader can see.
const SECRETS = ['Sup3rS3cretPw', 'R3disS3cretPw', 'Http5ecretPw', 'WebhookS3cretValue', 'Smtp5ecretPw', 'Tok3nS3cretValue'];
// A secret that appears only in the invalid file of a rejected reload.
const NEW_SECRET = 'N3wT0kenS3cret';

function assertNoSecret(where: string, text: string, secrets = SECRETS): void {
  for (const s of secrets) assert.ok(!text.includes(s), `${where} leaks ${s}:\n${text.split('\n').filter((l) => l.includes(s)).slice(0, 5).join('\n')}`);
}

describe('secrets never leak (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let nines: NinesProcess;
  let configPath: string;
  let config: string;

  before(async () => {
    const r = new Redis(redisUrlFor('secrets'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('secrets');
    const closed = await closedPort();
    config = `
defaults: { interval: 500ms, timeout: 400ms }
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    members:
      - name: pg1
        probe: { kind: postgres, url: "postgres://postgres:Sup3rS3cretPw@127.0.0.1:1/x" }
  - name: cache
    layer: cache
    kind: redis
    members:
      - name: r1
        probe: { kind: redis, url: "redis://:R3disS3cretPw@127.0.0.1:6379/0" }
targets:
  - name: web
    probe: { kind: http, url: "http://user:Http5ecretPw@127.0.0.1:${closed}/" }
  - name: api
    probe: { kind: http, url: "http://127.0.0.1:${closed}/api", headers: { Authorization: "Bearer Tok3nS3cretValue" } }
alerting:
  receivers:
    - name: hook
      webhook: { url: "http://127.0.0.1:${closed}/hook", secret: "WebhookS3cretValue", allow_private: true }
  route: { receiver: hook }
smtp: { url: "smtp://mailer:Smtp5ecretPw@127.0.0.1:${closed}", from: "nines@example.com" }
`;
    configPath = writeConfig(config);
    nines = await startNinesProcess({ configPath, databaseUrl: db.url, redisUrl: redisUrlFor('secrets') });
  });

  after(async () => {
    await nines?.stop();
    await db?.drop();
  });

  it('after failing probes, no secret is in the logs, /api/v1/targets, /api/v1/systems or /metrics', async () => {
    // Several failed rounds of every probe.
    await waitFor(
      'three failed rounds of every member and target',
      async () => {
        const r = await getJson(`${nines.url}/api/v1/targets`);
        const ts = r.body.targets as { key: string; consecutive_failures: number; last_result: { success: boolean; reason?: string } | null }[];
        // The Redis member answers (with a warning: the server has no password); the rest fail.
        const failing = ts.filter((t) => t.key !== 'cache/r1');
        const r1 = ts.find((t) => t.key === 'cache/r1');
        return ts.length === 4 && failing.every((t) => t.consecutive_failures >= 3) && r1?.last_result ? ts : undefined;
      },
      20_000,
    );
    const targets = await getText(`${nines.url}/api/v1/targets`);
    const systems = await getText(`${nines.url}/api/v1/systems`);
    const metrics = await getText(`${nines.url}/metrics`);
    const om = await getText(`${nines.url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    const one = await getText(`${nines.url}/api/v1/systems/orders-db`);
    assertNoSecret('/api/v1/targets', targets.text);
    assertNoSecret('/api/v1/systems', systems.text);
    assertNoSecret('/api/v1/systems/orders-db', one.text);
    assertNoSecret('/metrics', metrics.text);
    assertNoSecret('/metrics (OpenMetrics)', om.text);
    // The probes did fail with reasons (so there was text that could have carried a secret).
    const parsed = JSON.parse(targets.text).targets as { key: string; last_result: { reason?: string } }[];
    for (const t of parsed) if (t.key !== 'cache/r1') assert.ok(t.last_result.reason, `${t.key} has no failure reason`);
    assertNoSecret('logs', nines.logs());
    assert.match(nines.logs(), /is down/, 'the logs did mention the failures');
  });

  it('the 400 of an invalid reload whose file holds the secrets shows none of them, nor do the logs', async () => {
    // The secrets in their places, plus a mistake that makes the validator quote the value back.
    writeFileSync(
      configPath,
      config.replace('headers: { Authorization: "Bearer Tok3nS3cretValue" }', 'headers: "Authorization: Bearer Tok3nS3cretValue"').replace('targets:\n', `targets:
  - name: pgx
    probe: { kind: postgres, url: "postgres://postgres:Sup3rS3cretPw@127.0.0.1:1/x", sslmode: "postgres://postgres:Sup3rS3cretPw@db" }
`),
    );
    const res = await getText(`${nines.url}/api/v1/config/reload`, { method: 'POST' });
    assert.equal(res.status, 400, res.text);
    const body = JSON.parse(res.text);
    assert.equal(body.error.code, 'invalid_config');
    assert.ok(body.error.details.some((d: { path: string }) => d.path === 'targets[2].probe.headers'), res.text);
    assertNoSecret('the reload response', res.text);
    await waitFor('the rejection logged', () => /config reload rejected/.test(nines.logs()), 5000);
    assertNoSecret('logs after the rejected reload', nines.logs());
    writeFileSync(configPath, config);
  });

  it(
    'a secret that only the rejected file holds is not quoted back either',
    async () => {
      writeFileSync(configPath, config.replace('headers: { Authorization: "Bearer Tok3nS3cretValue" }', `headers: "Authorization: Bearer ${NEW_SECRET}"`));
      const res = await getText(`${nines.url}/api/v1/config/reload`, { method: 'POST' });
      writeFileSync(configPath, config);
      assert.equal(res.status, 400, res.text);
      assertNoSecret('the reload response', res.text, [NEW_SECRET]);
      assertNoSecret('logs', nines.logs(), [NEW_SECRET]);
    },
  );
});
