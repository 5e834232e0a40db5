import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, rawExchange, spawnServer, tempDir, waitForPort, type Spawned } from './spawned';

const run = promisify(execFile);

/**
 * Private Redis topologies for driver tests: a master with a replica and three sentinels, or a
 * six-node cluster, each on ports picked at run time in its own temp dir.
 */
export interface RedisNode {
  port: number;
  address: string;
  proc: Spawned;
  kill(): Promise<void>;
}

/** `bind`: the address to listen on instead of 127.0.0.1 (a lab's host-side address, reachable from its namespaces). */
export async function startRedis(dir: string, opts: { port?: number; password?: string; replicaOf?: number; extra?: string[]; bind?: string } = {}): Promise<RedisNode> {
  const port = opts.port ?? (await freePort());
  const host = opts.bind ?? '127.0.0.1';
  const args = ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', `dump-${port}.rdb`, '--logfile', ''];
  if (opts.password) args.push('--requirepass', opts.password, '--masterauth', opts.password);
  if (opts.replicaOf) args.push('--replicaof', '127.0.0.1', String(opts.replicaOf));
  args.push(...(opts.extra ?? []));
  const proc = spawnServer('redis-server', args);
  await waitForPort(port, proc, undefined, host);
  return { port, address: `${host}:${port}`, proc, kill: () => proc.kill() };
}

/** One redis-cli command against a node (tests use it to arrange state, not to assert). */
export async function redisCli(port: number, args: string[], password?: string): Promise<string> {
  const a = ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning'];
  if (password) a.push('-a', password);
  const { stdout } = await run('redis-cli', [...a, ...args], { timeout: 10_000 });
  return stdout;
}

export interface SentinelGroup {
  masterName: string;
  master: RedisNode;
  replica: RedisNode;
  sentinels: RedisNode[];
  /** host:port of every sentinel, the form the driver takes. */
  sentinelAddresses: string[];
  stop(): Promise<void>;
}

export async function startSentinelGroup(
  opts: { masterName?: string; password?: string; sentinelPassword?: string; downAfterMs?: number; count?: number } = {},
): Promise<SentinelGroup> {
  const masterName = opts.masterName ?? 'lab-redis';
  const tmp = tempDir('sentinel');
  const nodes: RedisNode[] = [];
  try {
    const master = await startRedis(tmp.path, { password: opts.password });
    nodes.push(master);
    const replica = await startRedis(tmp.path, { password: opts.password, replicaOf: master.port });
    nodes.push(replica);
    const sentinels: RedisNode[] = [];
    for (let i = 0; i < (opts.count ?? 3); i++) {
      const port = await freePort();
      const conf = join(tmp.path, `sentinel-${port}.conf`);
      const lines = [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${tmp.path}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${masterName} ${opts.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${masterName} 5000`,
        `sentinel parallel-syncs ${masterName} 1`,
      ];
      if (opts.password) lines.push(`sentinel auth-pass ${masterName} ${opts.password}`);
      if (opts.sentinelPassword) lines.push(`requirepass ${opts.sentinelPassword}`, `sentinel sentinel-pass ${opts.sentinelPassword}`);
      writeFileSync(conf, lines.join('\n') + '\n');
      const proc = spawnServer('redis-server', [conf, '--sentinel']);
      await waitForPort(port, proc);
      const node = { port, address: `127.0.0.1:${port}`, proc, kill: () => proc.kill() };
      sentinels.push(node);
      nodes.push(node);
    }
    return {
      masterName,
      master,
      replica,
      sentinels,
      sentinelAddresses: sentinels.map((s) => s.address),
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

/** Resolves once every sentinel knows the replica and the other sentinels (CKQUORUM is OK everywhere). */
export async function waitForSentinelsReady(g: SentinelGroup, password?: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ready = true;
    for (const s of g.sentinels) {
      const ck = await redisCli(s.port, ['SENTINEL', 'CKQUORUM', g.masterName], password).catch(() => '');
      const reps = await redisCli(s.port, ['SENTINEL', 'REPLICAS', g.masterName], password).catch(() => '');
      if (!new RegExp(`^OK ${g.sentinels.length} usable`).test(ck) || !/master-link-status\nok/.test(reps)) ready = false;
    }
    if (ready) return;
    if (Date.now() > deadline) throw new Error('sentinels did not discover each other and the replica in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves once a majority of the Sentinels name `port` as the master (after a failover). */
export async function waitForMaster(g: SentinelGroup, port: number, password?: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const named = await Promise.all(g.sentinels.map((s) => redisCli(s.port, ['SENTINEL', 'get-master-addr-by-name', g.masterName], password).catch(() => '')));
    if (named.filter((o) => Number(o.trim().split('\n')[1]) === port).length > g.sentinels.length / 2) return;
    if (Date.now() > deadline) throw new Error(`the Sentinels did not promote 127.0.0.1:${port} in time (they name: ${named.map((o) => o.trim().replace('\n', ':')).join(', ')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RedisCluster {
  nodes: RedisNode[];
  addresses: string[];
  stop(): Promise<void>;
}

/** Six nodes (three masters, one replica each) made into a cluster with redis-cli --cluster create. */
export async function startRedisCluster(opts: { password?: string; size?: number; replicas?: number } = {}): Promise<RedisCluster> {
  const tmp = tempDir('cluster');
  const nodes: RedisNode[] = [];
  try {
    for (let i = 0; i < (opts.size ?? 6); i++) {
      const port = await freePort([10000]);
      nodes.push(
        await startRedis(tmp.path, {
          port,
          password: opts.password,
          extra: ['--cluster-enabled', 'yes', '--cluster-config-file', join(tmp.path, `nodes-${port}.conf`), '--cluster-node-timeout', '1000'],
        }),
      );
    }
    const args = ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', String(opts.replicas ?? 1), '--cluster-yes'];
    if (opts.password) args.unshift('-a', opts.password, '--no-auth-warning');
    await run('redis-cli', args, { timeout: 30_000 });
    // Wait until every node sees the cluster as ok (gossip needs a moment after create).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(
        nodes.map((n) => rawExchange(n.port, `${opts.password ? `AUTH ${opts.password}\r\n` : ''}CLUSTER INFO\r\n`, /cluster_stats_messages_received/).catch(() => '')),
      );
      // A replica can only take over once its first sync is done, so failover tests wait for it.
      const links = await Promise.all(nodes.map((n) => redisCli(n.port, ['INFO', 'replication'], opts.password).catch(() => '')));
      const synced = links.every((l) => !/role:slave/.test(l) || /master_link_status:up/.test(l));
      if (states.every((s) => s.includes('cluster_state:ok')) && synced) break;
      if (Date.now() > deadline) throw new Error('cluster did not reach cluster_state:ok with synced replicas');
      await new Promise((r) => setTimeout(r, 200));
    }
    return {
      nodes,
      addresses: nodes.map((n) => n.address),
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
