import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { freshDatabase, redisUrlFor } from '../support/env';
import { MAIN, writeConfig } from '../support/nines-process';
import { closedPort } from '../support/wait';

function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MAIN, 'start'], { env: { ...process.env, NINES_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

function assertOneClearLine(r: { code: number | null; stdout: string; stderr: string }, what: RegExp, fix: RegExp, secret: string): void {
  assert.equal(r.code, 1, `exit code ${r.code}; stderr:\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], what);
  assert.match(lines[0], fix);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), 'the password is not printed');
}

describe('missing dependencies (real process)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let config: string;

  before(async () => {
    const r = new Redis(redisUrlFor('dependencies'));
    await r.flushdb();
    r.disconnect();
    db = await freshDatabase('dependencies');
    config = writeConfig(`targets:\n  - name: local\n    probe: { kind: tcp, address: "127.0.0.1:6379" }\n`);
  });

  after(async () => {
    await db?.drop();
  });

  it('Redis unreachable: `nines start` exits 1 with one line naming Redis and how to fix it', async () => {
    const port = await closedPort();
    const r = await start({ NINES_CONFIG: config, DATABASE_URL: db.url, REDIS_URL: `redis://:R3disPassw0rd@127.0.0.1:${port}/9` });
    assertOneClearLine(r, /Redis/, /REDIS_URL/, 'R3disPassw0rd');
    assert.ok(r.ms < 30_000, `took ${r.ms}ms to give up`);
  });

  it('PostgreSQL unreachable: `nines start` exits 1 with one line naming PostgreSQL and how to fix it', async () => {
    const r = await start({ NINES_CONFIG: config, DATABASE_URL: 'postgres://postgres:Pgpassw0rdX@127.0.0.1:1/nines', REDIS_URL: redisUrlFor('dependencies') });
    assertOneClearLine(r, /PostgreSQL/, /DATABASE_URL/, 'Pgpassw0rdX');
  });
});
