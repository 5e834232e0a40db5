import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';

/**
 * Every process the benchmark starts, bounded twice: each runs under `timeout -s KILL` (so it
 * dies even if this process is SIGKILLed and runs no hook), in its own process group, and every
 * group still alive is killed when the benchmark exits, fails or is interrupted.
 */
export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last 256 KB of its stdout and stderr. */
  logs(): string;
  /** Its first 200 warning or error lines (pino levels 40 and up), which the tail may have lost. */
  warnings(): string[];
  /** SIGTERM to its group, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<Child>();

function killGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    /* already gone */
  }
}

export function killAll(): void {
  for (const c of children) killGroup(c.proc, 'SIGKILL');
  children.clear();
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(sig, () => {
    process.stderr.write(`\ntime-to-notify: ${sig}, stopping every child\n`);
    killAll();
    process.exit(130);
  });

export function spawnBounded(name: string, cmd: string, args: string[], opts: { boundSeconds: number; env?: NodeJS.ProcessEnv; cwd?: string }): Child {
  let out = '';
  let partial = '';
  const warnings: string[] = [];
  const proc = spawn('timeout', ['-s', 'KILL', String(Math.ceil(opts.boundSeconds)), cmd, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the wrapper and the program die together
  });
  const keep = (d: Buffer) => {
    const text = d.toString();
    out += text;
    if (warnings.length < 200) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (/"level":(4|5|6)0/.test(l) && warnings.length < 200) warnings.push(l);
    }
    if (out.length > 512 * 1024) out = out.slice(-256 * 1024);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const child: Child = {
    name,
    proc,
    logs: () => out,
    warnings: () => warnings,
    async stop(graceMs = 5000) {
      children.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      killGroup(proc, 'SIGTERM');
      const t = setTimeout(() => killGroup(proc, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
      killGroup(proc, 'SIGKILL'); // anything the program left behind in its group
    },
  };
  children.add(child);
  return child;
}

export function exited(c: Child): boolean {
  return c.proc.exitCode !== null || c.proc.signalCode !== null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** GET url; resolves with status and body, or undefined when it cannot connect. */
export function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Polls until `ok` returns true; throws with the child's logs when it exits or time runs out. */
export async function waitUntil(what: string, ok: () => Promise<boolean> | boolean, timeoutMs: number, child?: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    if (child && exited(child)) throw new Error(`${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) while waiting for ${what}:\n${child.logs().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${child ? `:\n${child.logs().slice(-4000)}` : ''}`);
    await sleep(50);
  }
}
