import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../');
export const MAIN = join(ROOT, 'dist/apps/nines/src/main.js');

export interface NinesProcess {
  proc: ChildProcess;
  url: string;
  logs: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nines-test-'));
  const p = join(dir, 'nines.yaml');
  writeFileSync(p, yaml);
  return p;
}

/** Starts a real Nines process (as `nines start` would) and waits until it listens. */
export async function startNinesProcess(opts: {
  configPath: string;
  databaseUrl: string;
  /** Nines' own Redis; leave it out and pass REDIS_SENTINELS/REDIS_SENTINEL_MASTER in env instead. */
  redisUrl?: string;
  roles?: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** A network namespace to run in (`ip netns exec`, which execs: the child's pid is Nines' own). */
  netns?: string;
}): Promise<NinesProcess> {
  let out = '';
  const argv = [process.execPath, MAIN, 'start'];
  if (opts.netns) argv.unshift('ip', 'netns', 'exec', opts.netns);
  const proc = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: {
      ...process.env,
      NINES_CONFIG: opts.configPath,
      DATABASE_URL: opts.databaseUrl,
      ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
      NINES_PORT: '0',
      NINES_ROLES: opts.roles ?? 'api,prober,worker',
      NINES_LOG_LEVEL: 'debug',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  // Generous: on a loaded CI machine a cold start (module load, migrations) can take tens of seconds.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
  let url: string | undefined;
  while (!url) {
    const m = /"url":"(http:\/\/[^"]+)".*"msg":"nines started"/.exec(out);
    if (m) url = m[1];
    else if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`nines exited with ${proc.exitCode ?? proc.signalCode}:\n${out}`);
    else if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`nines did not start in time:\n${out}`);
    } else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    url,
    logs: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      // Killed by a signal, a child has signalCode set and exitCode null: it will not exit again.
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = once(proc, 'exit') as Promise<[number | null]>;
      proc.kill(signal);
      // A process that does not stop is a finding for the test, not a reason to hang the suite.
      const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      const [code] = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}
