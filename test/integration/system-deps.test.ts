import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../support/servers/spawned';

// The test command's own set-up (scripts/setup-tests.mjs) and the CI check that it installs every
// program the tests run (scripts/check-system-deps.mjs), run as the processes they are.
const ROOT = join(__dirname, '../../..');

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

/** Runs setup() from scripts/setup-tests.mjs with the given options (a JS object literal). */
function setup(options: string, env: NodeJS.ProcessEnv = {}) {
  const code = `import { setup } from './scripts/setup-tests.mjs'; process.exitCode = await setup(${options});`;
  return node(['--input-type=module', '-e', code], env);
}

test('check-system-deps: this tree passes, every program it runs is installed by the set-up', async () => {
  const r = await node(['scripts/check-system-deps.mjs']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /system deps: \d+ programs and \d+ files .* are all provided/);
});

test('check-system-deps: a test that spawns a program the set-up does not install fails the check, naming file, program and package', async () => {
  const tree = tempDir('nines-sysdeps');
  try {
    mkdirSync(join(tree.path, 'test/e2e'), { recursive: true });
    mkdirSync(join(tree.path, 'test/lab'), { recursive: true });
    // make and gcc are on this machine (it builds native modules), yet no fresh machine of another
    // kind must have them: present is not enough, the set-up's list must own them.
    writeFileSync(join(tree.path, 'test/e2e/x.test.ts'), "import { execFile } from 'node:child_process';\nexecFile('make', ['-v'], () => undefined);\n");
    writeFileSync(
      join(tree.path, 'test/lab/x.sh'),
      ['#!/usr/bin/env bash', 'helper() { echo "$1"; }', 'case "$1" in', '  build) helper x ;;', 'esac', 'cat <<EOF >/dev/null', 'gcc inside a heredoc is text', 'EOF', 'out=$(timeout 5 gcc --version)', 'redis-cli ping # listed'].join('\n'),
    );
    const r = await node(['scripts/check-system-deps.mjs', '--root', tree.path]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /test\/e2e\/x\.test\.ts:2 runs make \(\/usr\/bin\/make, Debian package make\)/);
    assert.match(r.out, /test\/lab\/x\.sh:9 runs gcc \(.*Debian package .*gcc.*\)/);
    assert.doesNotMatch(r.out, /runs (helper|build|redis-cli|timeout)\b/);
    assert.doesNotMatch(r.out, /x\.sh:7/, 'a heredoc body is not a command');
  } finally {
    tree.remove();
  }
});

test('set-up as a non-root user: stops at once with one line per missing tool and how to get it', async () => {
  const pkgs = "[{ pkg: 'nines-absent-a', commands: ['nines-no-such-tool'], why: 'a test' }, { pkg: 'nines-absent-b', paths: ['/nines-absent/none.jar', '/nines-absent/other.jar'], why: 'another' }]";
  const r = await setup(`{ packages: ${pkgs}, isRoot: false }`);
  assert.equal(r.code, 1, r.out);
  const lines = r.out.trim().split('\n');
  assert.match(lines[0], /3 tool\(s\) the tests need are missing and cannot be installed here \(not root\)/);
  assert.deepEqual(
    lines.slice(1, 4).map((l) => /^missing (\S+) \(Debian package (\S+), for .*\): sudo apt-get install (\S+)$/.exec(l)?.slice(1)),
    [
      ['nines-no-such-tool', 'nines-absent-a', 'nines-absent-a'],
      ['/nines-absent/none.jar', 'nines-absent-b', 'nines-absent-b'],
      ['/nines-absent/other.jar', 'nines-absent-b', 'nines-absent-b'],
    ],
  );
  assert.match(lines[4], /sudo apt-get install nines-absent-a nines-absent-b/);
});

test('set-up as root without apt-get: the same lines, with the reason', async () => {
  const r = await setup(`{ packages: [{ pkg: 'nines-absent', commands: ['nines-no-such-tool'], why: 'a test' }], isRoot: true, canApt: false }`);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /cannot be installed here \(no apt-get\)/);
  assert.match(r.out, /missing nines-no-such-tool \(Debian package nines-absent/);
});

test('set-up: a PostgreSQL it may not start is named with its address and the variable to change', async () => {
  const r = await setup('{ isRoot: false }', { TEST_PG_URL: 'postgres://postgres@127.0.0.1:1/postgres' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /PostgreSQL is not reachable at 127\.0\.0\.1:1: start it .* or point TEST_PG_URL at one that runs/);
});

test('set-up with everything present is a no-op that exits 0', async () => {
  const r = await setup('{}', { NINES_SETUP_VERBOSE: '1' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /test set-up: everything present \(\d+ ms\)/);
});
