import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
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
  /** Fast shutdown of one server (the primary, to fail over). */
  stopServer(port: number): Promise<void>;
  /** Promotes the replica (pg_promote, waiting until it takes writes). */
  promoteReplica(): Promise<void>;
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

/** Postmasters of one test, under a private socket directory, killed if the test process dies. */
function postmasters(dir: string, ids: { uid: number; gid: number }, listen = '127.0.0.1') {
  const procs = new Map<number, ChildProcess>();
  const killOnExit = () => procs.forEach((p) => p.kill('SIGKILL'));
  process.once('exit', killOnExit);
  const start = async (data: string, port: number) => {
    let out = '';
    const p = spawn(join(PGBIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', `listen_addresses=${listen}`], { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    procs.set(port, p);
    await waitForPort(port, { child: p, output: () => out, exited: once(p, 'exit').then(() => undefined), kill: async () => void p.kill('SIGKILL') }, 30_000, listen);
  };
  const stopOne = async (p: ChildProcess) => {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = once(p, 'exit');
    p.kill('SIGINT'); // fast shutdown
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  return {
    start,
    pid: (port: number) => procs.get(port)?.pid,
    stop: async (port: number) => {
      const p = procs.get(port);
      if (p) await stopOne(p);
    },
    stopAll: async () => {
      process.removeListener('exit', killOnExit);
      await Promise.all([...procs.values()].map(stopOne));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function initPrimary(dir: string, ids: { uid: number; gid: number }, extraConf: string[] = [], allow?: string): Promise<string> {
  const primary = join(dir, 'primary');
  await run(join(PGBIN, 'initdb'), ['-D', primary, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions'], ids);
  appendFileSync(
    join(primary, 'postgresql.conf'),
    ['', 'wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', 'wal_receiver_status_interval = 1s', 'fsync = off', 'synchronous_commit = off', 'shared_buffers = 16MB', 'max_connections = 30', ...extraConf, ''].join('\n'),
  );
  writeFileSync(join(primary, 'pg_hba.conf'), `local all all trust\nlocal replication all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n${allow ? `host all all ${allow} trust\n` : ''}`);
  return primary;
}

function privateDir(ids: { uid: number; gid: number }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownSync(dir, ids.uid, ids.gid);
  chmodSync(dir, 0o700);
  return dir;
}

export async function startPostgresPair(): Promise<PostgresPair> {
  const ids = postgresUser();
  const dir = privateDir(ids, 'nines-pgpair-');
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const pm = postmasters(dir, ids);
  try {
    await pm.start(await initPrimary(dir, ids), primaryPort);
    const replica = join(dir, 'replica');
    await run(join(PGBIN, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replica, '-R', '-X', 'stream', '--no-sync'], ids);
    await pm.start(replica, replicaPort);
  } catch (err) {
    await pm.stopAll();
    throw err;
  }
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    primaryPort,
    replicaPort,
    url,
    stopServer: (port) => pm.stop(port),
    promoteReplica: async () => {
      const c = new Client({ connectionString: url(replicaPort) });
      await c.connect();
      try {
        await c.query('select pg_promote(true, 30)');
      } finally {
        await c.end();
      }
    },
    stop: pm.stopAll,
  };
}

export interface PostgresServer {
  port: number;
  /** The postmaster's pid while it runs. */
  readonly pid: number | undefined;
  url(database?: string): string;
  /** Fast shutdown; the data stays, and start() brings the same server back on the same port. */
  pause(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One private PostgreSQL 15 server that a test may stop and start again (Nines' own database).
 * `listen` and `allow`: the address to listen on instead of 127.0.0.1 and the network trusted to log in
 * from (a lab's host-side address, for processes in its network namespaces).
 */
export async function startPostgresServer(opts: { listen?: string; allow?: string } = {}): Promise<PostgresServer> {
  const ids = postgresUser();
  const dir = privateDir(ids, 'nines-pg-');
  const port = await freePort();
  const pm = postmasters(dir, ids, opts.listen);
  const host = opts.listen ?? '127.0.0.1';
  let data = '';
  try {
    data = await initPrimary(dir, ids, ['max_connections = 60'], opts.allow);
    await pm.start(data, port);
  } catch (err) {
    await pm.stopAll();
    throw err;
  }
  return {
    port,
    get pid() {
      return pm.pid(port);
    },
    url: (database = 'postgres') => `postgres://postgres@${host}:${port}/${database}`,
    pause: () => pm.stop(port),
    start: () => pm.start(data, port),
    stop: pm.stopAll,
  };
}
