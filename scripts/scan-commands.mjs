// Finds the programs and system files the tests, the lab and the benchmarks use, by reading their
// sources: the first argument of every spawn/execFile-like call in TypeScript, absolute paths in
// string literals, and every command in a command position of the lab's shell scripts. Used by
// scripts/check-system-deps.mjs; it over-approximates on purpose (a word that names a program is
// counted even where it might be a message), since a program counted twice costs nothing and one
// missed is an ENOENT on a fresh machine.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** TypeScript: spawn(…)/execFile(…)-like calls with a literal program, `sh -c '…'` bodies, absolute paths. */
const SPAWNERS = /\b(?:spawn|spawnSync|spawnServer|startProcess|execFile|execFileSync|run|runAs)\(\s*(['"`])([^'"`$]+)\1/g;
const SHELL_C = /\b(?:spawn|spawnSync|execFile|execFileSync|run)\(\s*['"](?:sh|bash)['"],\s*\[\s*['"]-c['"],\s*(['"`])([^'"`]*)\1/g;
const ABS_PATH = /(['"`])(\/(?:usr|bin|sbin|etc|opt|lib)\/[^'"`\s:$]*)/g;
const PATH_LIST = /(['"`])(\/(?:usr|bin|sbin|opt|lib)\/[^'"`\s$]*:[^'"`\s$]*)\1/g;

export function scanTypeScript(file, text, uses) {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments name programs without running them
    for (const m of line.matchAll(SPAWNERS)) if (/^[A-Za-z][A-Za-z0-9_.+-]*$/.test(m[2])) add(uses, { command: m[2] }, where);
    for (const m of line.matchAll(SHELL_C)) for (const c of shellCommandsOfLine(m[2])) add(uses, { command: c }, where);
    for (const m of line.matchAll(PATH_LIST)) for (const p of m[2].split(':')) add(uses, { path: p }, where);
    for (const m of line.matchAll(ABS_PATH)) if (!m[2].includes(':')) add(uses, { path: m[2] }, where);
  });
}

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'in', 'function', 'select', 'time', '!', '{', '}', '[[', ']]', '((', '))']);
const BUILTINS = new Set(
  ('alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait . : [').split(' '),
);
/** Words that run the rest of the line as a command, and how many of their own arguments come first. */
const WRAPPERS = { exec: 0, setsid: 0, nohup: 0, env: 0, command: 0, sudo: 0, timeout: 1, flock: 1, nice: 0, xargs: 0 };

/**
 * The line with the literal text of quoted strings replaced by Q, so that `;`, `(` and words in
 * them are inert, while command substitutions inside double quotes ("… $(role "$n")") stay code.
 */
export function blankQuoted(line) {
  let out = '';
  const stack = ['code'];
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    const top = stack[stack.length - 1];
    if (top === 'dq') {
      if (c === '\\') {
        out += 'QQ';
        i++;
      } else if (c === '"') {
        out += c;
        stack.pop();
      } else if (c === '$' && line[i + 1] === '(') {
        out += '$(';
        i++;
        stack.push('code');
      } else out += 'Q';
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end;
      out += `'${'Q'.repeat(Math.max(0, stop - i - 1))}'`;
      i = stop;
    } else if (c === '\\') {
      out += line.slice(i, i + 2);
      i++;
    } else if (c === '"') {
      out += c;
      stack.push('dq');
    } else if (c === '(') {
      out += c;
      stack.push('code');
    } else if (c === ')') {
      out += c;
      if (stack.length > 1) stack.pop();
    } else out += c;
  }
  return out;
}

/** Command words of one line of shell (no heredoc bodies, comments removed). */
export function shellCommandsOfLine(line, functions = new Map()) {
  const out = [];
  // Split at the places a new command starts; quoted strings are blanked first so `;` in them is inert.
  const blanked = blankQuoted(line);
  for (const part of blanked.split(/;|&&|\|\||\||\$\(|`|\(|\)|&(?!>)|\bthen\b|\bdo\b|\belse\b/)) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    let skip = 0;
    while (i < words.length) {
      const w = words[i];
      if (/^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(w) || KEYWORDS.has(w) || /^[0-9]*[<>]/.test(w)) {
        i++;
        continue;
      }
      if (skip > 0) {
        skip--;
        i++;
        continue;
      }
      if (!/^[A-Za-z_][A-Za-z0-9_.+-]*$/.test(w)) break; // $VAR, "…", a path, a number: not a literal program
      if (w === 'ip' && words[i + 1] === 'netns' && words[i + 2] === 'exec') {
        out.push('ip');
        i += 4; // ip netns exec NS cmd…
        continue;
      }
      if (w in WRAPPERS) {
        if (!BUILTINS.has(w)) out.push(w);
        skip = WRAPPERS[w];
        i++;
        continue;
      }
      if (functions.has(w)) {
        const f = functions.get(w);
        if (f.skip === undefined) break;
        skip = f.skip; // a function that runs its arguments as a command
        i++;
        continue;
      }
      if (!BUILTINS.has(w)) out.push(w);
      break;
    }
  }
  return out;
}

/**
 * Shell: heredoc bodies and comments are skipped; functions defined in any lab script are not
 * programs. A function whose body is `"$@"` after N fixed arguments (spawn <name> <cwd> cmd…)
 * is a wrapper, like timeout.
 */
export function scanShell(file, text, uses, functions) {
  let heredoc;
  text.split('\n').forEach((raw, i) => {
    if (heredoc) {
      if (raw.replace(/^\t+/, '').trim() === heredoc) heredoc = undefined;
      return;
    }
    // Comments, and the label of a case branch (`pg-kill-primary)`), are not commands.
    const line = raw.replace(/(^|\s)#.*$/, '').replace(/^\s*[A-Za-z0-9_*|"' -]+\)(?=\s|$)/, '');
    const hd = /<<-?\s*['"]?([A-Za-z_]+)['"]?/.exec(line);
    for (const c of shellCommandsOfLine(line, functions)) add(uses, { command: c }, `${file}:${i + 1}`);
    for (const m of line.matchAll(/(?:^|[\s"'=:])(\/(?:usr|bin|sbin|opt)\/[A-Za-z0-9_./+-]+)/g)) add(uses, { path: m[1] }, `${file}:${i + 1}`);
    if (hd) heredoc = hd[1];
  });
}

export function shellFunctions(texts) {
  const functions = new Map();
  for (const text of texts) {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const m = /^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)\s*\{?(.*)$/.exec(line);
      if (!m) return;
      let body = m[2];
      if (!/\}\s*$/.test(line)) for (let j = i + 1; j < lines.length && !/^\s*\}\s*$/.test(lines[j]); j++) body += `\n${lines[j]}`;
      const shifts = /\bshift\s+(\d+)/.exec(body);
      const runsArgs = /(^|[\s(])(exec\s+(setsid\s+)?)?"\$@"/m.test(body) && !/echo[^\n]*"\$@"/.test(body);
      functions.set(m[1], { skip: runsArgs ? Number(shifts?.[1] ?? (/\bshift\b/.test(body) ? 1 : 0)) : undefined });
    });
  }
  return functions;
}

function add(uses, what, where) {
  const key = what.command ? `command:${what.command}` : `path:${what.path}`;
  const u = uses.get(key) ?? { ...what, where: [] };
  if (!u.where.includes(where)) u.where.push(where);
  uses.set(key, u);
}

/** Every program and system file the tests, lab and benchmarks use, each with where it is used. */
export function scanProject(root) {
  const uses = new Map();
  const ts = [...walk(join(root, 'test')), ...walk(join(root, 'bench'))].filter((f) => f.endsWith('.ts'));
  const specs = [...walk(join(root, 'libs')), ...walk(join(root, 'apps'))].filter((f) => f.endsWith('.spec.ts'));
  for (const f of ts) scanTypeScript(relative(root, f), readFileSync(f, 'utf8'), uses);
  // Specs use paths as config data (a nagios command) without running them: only their spawns count.
  for (const f of specs) {
    const only = new Map();
    scanTypeScript(relative(root, f), readFileSync(f, 'utf8'), only);
    for (const [k, v] of only) if (v.command) for (const w of v.where) add(uses, v, w);
  }
  const sh = [...walk(join(root, 'test')), ...walk(join(root, 'bench'))].filter((f) => f.endsWith('.sh'));
  const texts = sh.map((f) => readFileSync(f, 'utf8'));
  const functions = shellFunctions(texts);
  sh.forEach((f, i) => scanShell(relative(root, f), texts[i], uses, functions));
  return [...uses.values()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('..', import.meta.url).pathname;
  for (const u of scanProject(root).sort((a, b) => (a.command ?? a.path).localeCompare(b.command ?? b.path)))
    console.log(`${u.command ? 'command' : 'path'}\t${u.command ?? u.path}\t${u.where.slice(0, 3).join(' ')}${u.where.length > 3 ? ` (+${u.where.length - 3})` : ''}`);
}
