#!/usr/bin/env node
// CI check that a fresh machine has, after the test command's own set-up, every program and system
// file the tests, the lab and the benchmarks use. A machine that already has a package cannot hide a
// gap: every program the sources run is traced to the Debian package that owns it (dpkg -S), and
// that package must be in scripts/system-deps.mjs, be Essential/required (on every Debian system),
// or be the machine's own Node.js. It also checks the list itself: each tool it names must be
// present and owned by the package it names.
// Usage: node scripts/check-system-deps.mjs [--verbose] [--root DIR]
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PACKAGES, MACHINE_PROVIDES, missing, which } from './system-deps.mjs';
import { scanProject } from './scan-commands.mjs';

// --root DIR checks another tree's sources against this list (the tests of this script use it).
const rootAt = process.argv.indexOf('--root');
const root = rootAt > 0 ? resolve(process.argv[rootAt + 1]) : new URL('..', import.meta.url).pathname;
const verbose = process.argv.includes('--verbose');
const listed = new Set(PACKAGES.map((p) => p.pkg));
const problems = [];

function dpkgOwners(path) {
  // usr-merge: dpkg may have recorded /bin/x for what PATH finds as /usr/bin/x, or the other way.
  const forms = new Set([path, path.replace(/^\/usr\/(s?bin|lib)\//, '/$1/'), path.replace(/^\/(s?bin|lib)\//, '/usr/$1/')]);
  for (const f of forms) {
    try {
      const out = execFileSync('dpkg-query', ['-S', f], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const owners = new Set();
      for (const line of out.split('\n')) {
        const m = /^(.+?): (.+)$/.exec(line);
        if (m && m[2] === f && !m[1].startsWith('diversion by')) for (const p of m[1].split(', ')) owners.add(p.replace(/:.*$/, ''));
      }
      if (owners.size) return [...owners];
    } catch {
      /* not owned in this form */
    }
  }
  return [];
}

const baseCache = new Map();
function isBase(pkg) {
  if (!baseCache.has(pkg)) {
    let f = '';
    try {
      f = execFileSync('dpkg-query', ['-W', '-f=${Essential} ${Priority}', pkg], { encoding: 'utf8' });
    } catch {
      /* unknown package */
    }
    baseCache.set(pkg, /^yes /.test(f) || / required$/.test(f));
  }
  return baseCache.get(pkg);
}

/** The symlink chain of a path (itself, each link it passes through, and its real path). */
function chain(path) {
  const out = [path];
  let p = path;
  for (let i = 0; i < 16; i++) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      break;
    }
    if (!st.isSymbolicLink()) break;
    p = resolve(dirname(p), readlinkSync(p));
    out.push(p);
  }
  if (existsSync(path)) out.push(realpathSync(path));
  return [...new Set(out)];
}

/** The packages that could provide a path: the owners of its links, its real file, and for a
 * Debian alternative (/etc/alternatives/NAME) every alternative of that group. */
function providers(path) {
  const pkgs = new Set();
  for (const p of chain(path)) {
    for (const o of dpkgOwners(p)) pkgs.add(o);
    const alt = /^\/etc\/alternatives\/(.+)$/.exec(p);
    if (alt) {
      try {
        for (const a of execFileSync('update-alternatives', ['--list', alt[1]], { encoding: 'utf8' }).split('\n').filter(Boolean)) for (const o of dpkgOwners(a)) pkgs.add(o);
      } catch {
        /* no such group */
      }
    }
  }
  return [...pkgs];
}

// 1. The list itself: everything present after set-up, and owned by the package it names.
for (const p of await missing()) problems.push(`scripts/system-deps.mjs: ${p.pkg} is listed but ${p.lost.join(', ')} is missing after set-up (run npm test, or bash scripts/install-system-deps.sh, first)`);
for (const p of PACKAGES) {
  for (const tool of [...(p.commands ?? []), ...(p.paths ?? [])]) {
    const path = tool.startsWith('/') ? tool : await which(tool);
    if (!path || !existsSync(path)) continue;
    const owners = providers(path);
    if (!owners.includes(p.pkg)) problems.push(`scripts/system-deps.mjs: ${tool} is listed under ${p.pkg}, but ${path} belongs to ${owners.join(', ') || 'no Debian package'}`);
  }
}

// 2. Everything the sources run or open.
const listedCommands = new Map(PACKAGES.flatMap((p) => (p.commands ?? []).map((c) => [c, p.pkg])));
const listedPaths = new Map(PACKAGES.flatMap((p) => (p.paths ?? []).map((c) => [c, p.pkg])));
let programs = 0;
const report = [];
for (const use of scanProject(root)) {
  const where = use.where[0] + (use.where.length > 1 ? ` (and ${use.where.length - 1} more)` : '');
  if (use.command) {
    if (listedCommands.has(use.command)) {
      programs++;
      report.push(`${use.command}: ${listedCommands.get(use.command)} (listed)`);
      continue;
    }
    if (MACHINE_PROVIDES.includes(use.command)) continue;
    const path = await which(use.command);
    if (!path) continue; // a shell function, a case label, an argument: not a program on this machine
    programs++;
    const owners = providers(path);
    const ok = owners.filter((o) => listed.has(o) || isBase(o));
    report.push(`${use.command}: ${owners.join(', ') || '?'}${ok.length ? '' : ' (NOT LISTED)'}`);
    if (!ok.length)
      problems.push(
        owners.length
          ? `${where} runs ${use.command} (${path}, Debian package ${owners.join(' or ')}), which scripts/system-deps.mjs does not list: a fresh machine need not have it`
          : `${where} runs ${use.command} (${path}), which no Debian package owns: install it through scripts/system-deps.mjs or do without it`,
      );
  } else {
    const path = use.path;
    if (listedPaths.has(path)) {
      report.push(`${path}: ${listedPaths.get(path)} (listed)`);
      continue;
    }
    if (!existsSync(path)) {
      problems.push(`${where} uses ${path}, which does not exist after set-up and is not in scripts/system-deps.mjs`);
      continue;
    }
    const owners = providers(path);
    const ok = owners.filter((o) => listed.has(o) || isBase(o));
    report.push(`${path}: ${owners.join(', ') || '?'}${ok.length ? '' : ' (NOT LISTED)'}`);
    if (!ok.length) problems.push(`${where} uses ${path} (${owners.length ? `Debian package ${owners.join(' or ')}` : 'no Debian package'}), which scripts/system-deps.mjs does not list`);
  }
}

if (verbose) for (const line of report.sort()) console.log(`  ${line}`);
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`system deps: ${programs} programs and ${listedPaths.size} files the tests, lab and benchmarks use are all provided by the set-up (${listed.size} packages) or by every Debian system`);
