import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort, waitUntil } from './tcp';

/**
 * A private redis-server for one test file: a free port found at runtime, a temp dir, no
 * persistence. Never the shared 6379, so replication and passwords set here touch nobody else.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  proc: ChildProcess;
  logs(): string;
  /** One command over a raw connection (for test setup and polling), reply as text. */
  command(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(extraArgs: string[] = [], password?: string): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await closedPort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extraArgs];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const exited = once(proc, 'exit').then(() => undefined);
    // If the test process dies without running after(), do not leave the server behind.
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    const r: PrivateRedis = {
      port,
      url: `redis://127.0.0.1:${port}`,
      proc,
      logs: () => out,
      command: (...cmd) => rawCommand(port, password, cmd),
      async stop() {
        process.removeListener('exit', killOnExit);
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGKILL');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
    try {
      await waitUntil(`redis-server on ${port}`, async () => {
        if (proc.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
        return (await r.command('PING').catch(() => '')) === 'PONG';
      }, 10_000);
      return r;
    } catch (err) {
      await r.stop();
      // Another process may have taken the port between the check and the bind; try another.
      if (attempt < 3 && /Address already in use/i.test(out)) continue;
      throw err;
    }
  }
}

/** Sends one command (after AUTH when a password is given); resolves with its reply as text. */
function rawCommand(port: number, password: string | undefined, cmd: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const encode = (parts: string[]) => `*${parts.length}\r\n` + parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('');
    const expected = password ? 2 : 1;
    sock.setTimeout(2000, () => sock.destroy(new Error('raw redis command timed out')));
    sock.on('error', reject);
    sock.on('close', () => reject(new Error('connection closed before a reply')));
    sock.on('connect', () => sock.write((password ? encode(['AUTH', password]) : '') + encode(cmd)));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const replies = splitReplies(buf);
      if (replies.length >= expected) {
        sock.destroy();
        resolve(replies[expected - 1]);
      }
    });
  });
}

/** The complete top-level replies in `buf` (simple, error, integer or bulk), as text. */
function splitReplies(buf: Buffer): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    const end = buf.indexOf('\r\n', pos);
    if (end < 0) return out;
    const line = buf.toString('utf8', pos, end);
    if (line[0] !== '$') {
      out.push(line.slice(1));
      pos = end + 2;
      continue;
    }
    const len = Number(line.slice(1));
    if (len < 0) {
      out.push('');
      pos = end + 2;
      continue;
    }
    if (buf.length < end + 2 + len + 2) return out;
    out.push(buf.toString('utf8', end + 2, end + 2 + len));
    pos = end + 2 + len + 2;
  }
}
