import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real server processes for driver integration tests. Ports are picked at run time so test files
 * running in parallel never collide, and every process is killed by its test's after().
 */

/** True when something can listen on 127.0.0.1:port right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

const handedOut = new Set<number>();

/**
 * A free port (and, with `alsoFree`, free ports at those offsets, e.g. +10000 for a Redis Cluster
 * bus). Random in 20000-32767: below the kernel's ephemeral range (32768-60999), so a server a
 * test stops and starts again on its port cannot lose it to another file's listen(0) meanwhile,
 * and away from the lab's 16000-16999.
 */
export async function freePort(alsoFree: number[] = []): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const p = 20000 + Math.floor(Math.random() * 12768);
    if (handedOut.has(p) || alsoFree.some((o) => handedOut.has(p + o))) continue;
    if (!(await portIsFree(p))) continue;
    let ok = true;
    for (const o of alsoFree) if (!(await portIsFree(p + o))) ok = false;
    if (!ok) continue;
    handedOut.add(p);
    for (const o of alsoFree) handedOut.add(p + o);
    return p;
  }
  throw new Error('no free port found');
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `nines-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** True while a process with this pid exists (a zombie counts until it is reaped). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Spawned {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  exited: Promise<void>;
}

export function spawnServer(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Spawned {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', (e) => {
      out += `\nspawn failed: ${e.message}`;
      resolve();
    });
  });
  return {
    child,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resolves once host:port (127.0.0.1 unless told) accepts connections; rejects with the process output if it dies first. */
export async function waitForPort(port: number, proc: Spawned | undefined, timeoutMs = 20_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`server exited before listening on ${port}:\n${proc.output().slice(-2000)}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for port ${port}${proc ? `:\n${proc.output().slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends one line-oriented request and collects the reply until the server closes or `until` matches. */
export function rawExchange(port: number, request: string, until?: RegExp, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no complete reply from ${port} to ${JSON.stringify(request)}: ${JSON.stringify(data)}`));
    }, timeoutMs);
    s.on('connect', () => s.write(request));
    s.on('data', (d) => {
      data += d.toString();
      if (until && until.test(data)) {
        clearTimeout(timer);
        s.destroy();
        resolve(data);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}
