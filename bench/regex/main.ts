import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compileUserRegex } from '../../libs/common/src/user-regex';

/**
 * bench/regex: what a regex bomb in a silence matcher costs. JavaScript's backtracking RegExp
 * (what Nines used before) against Nines' user-regex module (RE2, linear time) on the classic
 * patterns, anchored as matchers are, over "aaa…a!" of growing length. The backtracking side
 * stops growing a pattern's text once one match takes over a second.
 *
 *   node dist/bench/regex/main.js [--out FILE] [--no-json]
 */
const root = resolve(__dirname, '../../..');
const PATTERNS = ['(a+)+$', '(a|aa)+$', '(.*a){12}'];
const BACKTRACK_LENGTHS = [10, 14, 18, 20, 22, 24, 26, 28];
const RE2_LENGTHS = [28, 1_000, 100_000, 1_000_000];
const STOP_MS = 1_000;

function time(f: () => boolean): { ms: number; result: boolean } {
  const t = process.hrtime.bigint();
  const result = f();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
}

const text = (n: number) => `${'a'.repeat(n)}!`;
const rows: { pattern: string; engine: string; length: number; ms: number; result: boolean }[] = [];
for (const p of PATTERNS) {
  const js = new RegExp(`^(?:${p})$`);
  for (const n of BACKTRACK_LENGTHS) {
    const r = time(() => js.test(text(n)));
    rows.push({ pattern: p, engine: 'backtracking (RegExp)', length: n + 1, ...r });
    if (r.ms > STOP_MS) break;
  }
  const re2 = compileUserRegex(p, { anchored: true });
  for (const n of RE2_LENGTHS) rows.push({ pattern: p, engine: 'RE2 (user-regex)', length: n + 1, ...time(() => re2.test(text(n))) });
}

console.log(`bench/regex on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
console.log('pattern          engine                  text length    ms        matched');
for (const r of rows) console.log(`${r.pattern.padEnd(16)} ${r.engine.padEnd(23)} ${String(r.length).padStart(11)} ${r.ms.toFixed(3).padStart(10)}   ${r.result}`);
if (!process.argv.includes('--no-json')) {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? resolve(process.argv[i + 1]) : join(root, 'bench/results/regex.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, rows }, null, 2) + '\n');
  console.log(`wrote ${out}`);
}
