import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './spawned';

/**
 * A private PostgreSQL 15 primary and streaming replica on free ports, for tests that need real
 * replication lag figures (the Redis driver reads a replica's lag only from its master). Run as
 * the postgres user, since initdb refuses root; stopped with a fast shutdown by the test's after().
 */
const PGBIN = process.env.NINES_PGBIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresPair {
  primaryPort: number;
  replicaPort: number;
  url(port: number): string;
  stop(): Promise<void>;
}

function postgresUser(): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

function run(cmd: string, args: string[], ids: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { ...ids, timeout: 60_000, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`)) : resolve())),
  );
}

export async function startPostgresPair(): Promise<PostgresPair> {
  const ids = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'nines-pgpair-'));
  chownSync(dir, ids.uid, ids.gid);
  chmodSync(dir, 0o700);
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const procs: ChildProcess[] = [];
  const killOnExit = () => procs.forEach((p) => p.kill('SIGKILL'));
  process.once('exit', killOnExit);
  const start = async (data: string, port: number) => {
    let out = '';
    const p = spawn(join(PGBIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'], { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    procs.push(p);
    await waitForPort(port, { child: p, output: () => out, exited: once(p, 'exit').then(() => undefined), kill: async () => void p.kill('SIGKILL') }, 30_000);
  };
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await Promise.all(
      procs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = once(p, 'exit');
        p.kill('SIGINT'); // fast shutdown
        const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = join(dir, 'primary');
    await run(join(PGBIN, 'initdb'), ['-D', primary, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions'], ids);
    appendFileSync(
      join(primary, 'postgresql.conf'),
      ['', 'wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', 'wal_receiver_status_interval = 1s', 'fsync = off', 'synchronous_commit = off', 'shared_buffers = 16MB', 'max_connections = 30', ''].join('\n'),
    );
    writeFileSync(join(primary, 'pg_hba.conf'), 'local all all trust\nlocal replication all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n');
    await start(primary, primaryPort);
    const replica = join(dir, 'replica');
    await run(join(PGBIN, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replica, '-R', '-X', 'stream', '--no-sync'], ids);
    await start(replica, replicaPort);
  } catch (err) {
    await stop();
    throw err;
  }
  return { primaryPort, replicaPort, url: (port) => `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
