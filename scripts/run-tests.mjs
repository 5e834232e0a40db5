#!/usr/bin/env node
// Runs the compiled tests with node's test runner. Tiers: unit specs beside the code
// (libs/**, apps/** and bench/** *.spec.ts; a benchmark's specs check its figures maths),
// integration tests (test/integration) and end-to-end tests (test/e2e).
// Usage: node scripts/run-tests.mjs [unit|integration|e2e ...] [--only substring]
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
const tiers = args.filter((a, i) => !a.startsWith('--') && !(onlyIdx >= 0 && i === onlyIdx + 1));
const wanted = new Set(tiers.length ? tiers : ['unit', 'integration', 'e2e']);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const files = [];
if (wanted.has('unit')) files.push(...walk(join(dist, 'libs')).filter((f) => f.endsWith('.spec.js')), ...walk(join(dist, 'apps')).filter((f) => f.endsWith('.spec.js')), ...walk(join(dist, 'bench')).filter((f) => f.endsWith('.spec.js')));
if (wanted.has('integration')) files.push(...walk(join(dist, 'test/integration')).filter((f) => f.endsWith('.test.js')));
if (wanted.has('e2e')) files.push(...walk(join(dist, 'test/e2e')).filter((f) => f.endsWith('.test.js')));
// A compiled test whose source was moved or deleted is left in dist/ by tsc: never run it.
const live = files.filter((f) => existsSync(join(root, relative(dist, f)).replace(/\.js$/, '.ts')));
const selected = only ? live.filter((f) => f.includes(only)) : live;
if (!selected.length) {
  console.error(`no test files found for ${[...wanted].join(', ')}${only ? ` matching ${only}` : ''} (did the build run?)`);
  process.exit(1);
}
console.log(`running ${selected.length} test files: ${selected.map((f) => relative(dist, f)).join(' ')}`);
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected], {
  stdio: 'inherit',
  env: { ...process.env, NINES_TEST: '1' },
});
process.exit(r.status ?? 1);
