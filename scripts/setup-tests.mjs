#!/usr/bin/env node
// The test command's own set-up (npm's `pretest`): installs the Debian packages the tests use when
// they are missing, and starts PostgreSQL and Redis when they are down. Where it cannot install
// (not root, no apt-get), it stops at once with one line per missing tool and how to get it.
// When everything is present it costs a few file lookups and two TCP connects.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { PACKAGES, missing, which } from './system-deps.mjs';

const root = new URL('..', import.meta.url).pathname;

/** Whether a TCP port answers within the timeout. */
export function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** The PostgreSQL and Redis the tests use (test/support/env.ts reads the same variables). */
export function services(env = process.env) {
  const pg = new URL(env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const redis = new URL(env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const local = (h) => ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(h);
  return [
    { name: 'PostgreSQL', host: pg.hostname.replace(/^\[|\]$/g, ''), port: Number(pg.port || 5432), local: local(pg.hostname), variable: 'TEST_PG_URL' },
    { name: 'Redis', host: redis.hostname.replace(/^\[|\]$/g, ''), port: Number(redis.port || 6379), local: local(redis.hostname), variable: 'TEST_REDIS_URL' },
  ];
}

/** One line per missing tool: what is missing, which package has it, and how to get it. */
export function missingLines(lost) {
  return lost.flatMap((p) => p.lost.map((tool) => `missing ${tool} (Debian package ${p.pkg}, for ${p.why}): sudo apt-get install ${p.pkg}`));
}

/**
 * Installs what is missing and starts what is down; returns the exit code. Everything it touches
 * is injectable so tests can run it against a package that does not exist.
 */
export async function setup({ packages = PACKAGES, root: rootDir = root, isRoot = process.getuid?.() === 0, canApt = undefined, err = (l) => console.error(l), env = process.env } = {}) {
  const t0 = Date.now();
  let lost = await missing(packages);
  if (lost.length) {
    const apt = canApt ?? (!!(await which('apt-get')) && !!(await which('dpkg-query')));
    if (!isRoot || !apt) {
      err(`npm test: ${lost.reduce((n, p) => n + p.lost.length, 0)} tool(s) the tests need are missing and cannot be installed here (${!isRoot ? 'not root' : 'no apt-get'}):`);
      for (const line of missingLines(lost)) err(line);
      err(`all at once: sudo apt-get install ${lost.map((p) => p.pkg).join(' ')} (or run npm test as root, which installs them)`);
      return 1;
    }
    const r = spawnSync('bash', [`${rootDir}scripts/install-system-deps.sh`, ...lost.map((p) => p.pkg)], { stdio: 'inherit' });
    lost = await missing(packages);
    if (r.status !== 0 || lost.length) {
      err(`npm test: installing the tests' packages failed (exit ${r.status}); still missing:`);
      for (const line of missingLines(lost)) err(line);
      return 1;
    }
  }
  const down = [];
  for (const s of services(env)) if (!(await reachable(s.host, s.port))) down.push(s);
  if (down.length) {
    if (down.every((s) => s.local) && isRoot && existsSync(`${rootDir}scripts/ensure-services.sh`)) spawnSync('bash', [`${rootDir}scripts/ensure-services.sh`], { stdio: 'inherit' });
    const still = [];
    for (const s of services(env)) if (!(await reachable(s.host, s.port, 3000))) still.push(s);
    if (still.length) {
      for (const s of still) err(`npm test: ${s.name} is not reachable at ${s.host}:${s.port}: ${s.local ? 'start it (as root, `bash scripts/ensure-services.sh` does)' : 'start it'} or point ${s.variable} at one that runs`);
      return 1;
    }
  }
  if (env.NINES_SETUP_VERBOSE) console.log(`test set-up: everything present (${Date.now() - t0} ms)`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await setup();
