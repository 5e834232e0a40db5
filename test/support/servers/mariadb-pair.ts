import { execFile } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnServer, tempDir, waitForPort, type Spawned } from './spawned';

const run = promisify(execFile);

/**
 * Two private mariadbd processes (Debian's MariaDB) on free ports: a primary with binary logs and
 * a GTID replica of it. The data directory is initialised once per test process and copied.
 */
export interface MariadbNode {
  port: number;
  socket: string;
  serverId: number;
  proc?: Spawned;
  /** Runs SQL as root over the socket; returns tab-separated rows. */
  sql(statement: string): Promise<string>;
  kill(): Promise<void>;
}

export interface MariadbPair {
  primary: MariadbNode;
  replica: MariadbNode;
  /** The probe user (REPLICATION CLIENT, SLAVE MONITOR, REPLICATION MASTER ADMIN), created on the primary and replicated. */
  user: string;
  password: string;
  url(node: MariadbNode, creds?: { user?: string; password?: string }): string;
  stop(): Promise<void>;
}

async function mariadbSql(socket: string, statement: string): Promise<string> {
  const { stdout } = await run('mariadb', ['--no-defaults', '-S', socket, '-uroot', '-N', '-B', '-e', statement], { timeout: 20_000 });
  return stdout;
}

async function startNode(dir: string, template: string, serverId: number, extra: string[] = [], port?: number): Promise<MariadbNode> {
  port ??= await freePort();
  const data = join(dir, `d${serverId}`);
  cpSync(template, data, { recursive: true });
  const socket = join(dir, `s${serverId}.sock`);
  const proc = spawnServer('mariadbd', [
    '--no-defaults',
    `--datadir=${data}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${socket}`,
    `--pid-file=${join(dir, `p${serverId}.pid`)}`,
    `--server-id=${serverId}`,
    `--log-bin=${join(data, 'bin')}`,
    '--binlog-format=ROW',
    '--user=root',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=16M',
    '--innodb-log-file-size=8M',
    '--performance-schema=OFF',
    `--log-error=${join(dir, `e${serverId}.log`)}`,
    ...extra,
  ]);
  const node: MariadbNode = {
    port,
    socket,
    serverId,
    proc,
    sql: (s) => mariadbSql(socket, s),
    async kill() {
      await node.proc?.kill();
      node.proc = undefined;
    },
  };
  await waitForPort(port, proc, 60_000);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await node.sql('SELECT 1');
      return node;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startMariadbPair(opts: { password?: string } = {}): Promise<MariadbPair> {
  const tmp = tempDir('mariadb');
  const template = join(tmp.path, 'template');
  const user = 'nines';
  const password = opts.password ?? 'nines-probe-pw';
  const nodes: MariadbNode[] = [];
  try {
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${template}`, '--auth-root-authentication-method=socket', '--skip-test-db', '--user=root'], { timeout: 120_000 });
    if (!existsSync(join(template, 'mysql'))) throw new Error('mariadb-install-db made no system tables');
    const primary = await startNode(tmp.path, template, 1);
    nodes.push(primary);
    const replicaPort = await freePort();
    const replica = await startNode(tmp.path, template, 2, ['--report-host=127.0.0.1', `--report-port=${replicaPort}`, '--read-only=1'], replicaPort);
    nodes.push(replica);
    await primary.sql(
      [
        "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-pw'",
        "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'",
        `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`,
        `GRANT REPLICATION CLIENT, SLAVE MONITOR, REPLICATION MASTER ADMIN ON *.* TO '${user}'@'127.0.0.1'`,
        "CREATE USER 'weak'@'127.0.0.1' IDENTIFIED BY 'weak-pw'",
        'CREATE DATABASE app',
        'CREATE TABLE app.t (id INT PRIMARY KEY)',
      ].join('; '),
    );
    await replica.sql(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE`,
    );
    const deadline = Date.now() + 30_000;
    while (!(await replica.sql(`SELECT COUNT(*) FROM mysql.user WHERE user='${user}'`)).startsWith('1')) {
      if (Date.now() > deadline) throw new Error(`replica did not catch up: ${await replica.sql('SHOW SLAVE STATUS\\G')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      primary,
      replica,
      user,
      password,
      url: (node, creds = {}) => `mysql://${creds.user ?? user}:${encodeURIComponent(creds.password ?? password)}@127.0.0.1:${node.port}/`,
      async stop() {
        await Promise.all(nodes.map((n) => n.kill()));
        tmp.remove();
      },
    };
  } catch (e) {
    await Promise.all(nodes.map((n) => n.kill()));
    tmp.remove();
    throw e;
  }
}
