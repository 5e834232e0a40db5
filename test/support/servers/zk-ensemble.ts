import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, rawExchange, spawnServer, tempDir, waitForPort, type Spawned } from './spawned';

/**
 * Private ZooKeeper servers from Debian's zookeeper package (a JVM each), standalone or as an
 * ensemble, with the AdminServer on and the four-letter words the test asks for whitelisted.
 */
const CLASSPATH = ['/usr/share/java/zookeeper.jar', '/usr/share/java/slf4j-nop.jar', '/usr/share/java/servlet-api.jar'].join(':');

export interface ZkNode {
  id: number;
  clientPort: number;
  adminPort: number;
  address: string;
  adminUrl: string;
  proc?: Spawned;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface ZkEnsemble {
  nodes: ZkNode[];
  stop(): Promise<void>;
}

/** Until every node's AdminServer srvr answers without "not currently serving requests". */
export async function untilServing(nodes: ZkNode[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const states = await Promise.all(
      nodes.map((n) =>
        fetch(`${n.adminUrl}/commands/srvr`, { signal: AbortSignal.timeout(3000) })
          .then((r) => r.json() as Promise<{ error?: string | null; server_stats?: { server_state?: string } }>)
          .then((j) => (j.error ? j.error : j.server_stats?.server_state ?? 'no state'))
          .catch((e: Error) => e.message),
      ),
    );
    last = states.join(', ');
    if (states.every((s) => ['leader', 'follower', 'observer', 'standalone'].includes(s))) return;
    if (Date.now() > deadline) throw new Error(`ZooKeeper not serving after ${timeoutMs}ms: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startZkEnsemble(opts: { size?: number; whitelist?: string } = {}): Promise<ZkEnsemble> {
  const size = opts.size ?? 1;
  const tmp = tempDir('zk');
  const ports = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), quorum: await freePort(), election: await freePort(), admin: await freePort() });
  const servers = size > 1 ? ports.map((p, i) => `server.${i + 1}=127.0.0.1:${p.quorum}:${p.election}`) : [];
  const nodes: ZkNode[] = ports.map((p, i) => {
    const dir = join(tmp.path, `n${i + 1}`);
    mkdirSync(join(dir, 'data'), { recursive: true });
    if (size > 1) writeFileSync(join(dir, 'data', 'myid'), `${i + 1}\n`);
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(
      cfg,
      [
        'tickTime=500',
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${p.client}`,
        'clientPortAddress=127.0.0.1',
        'admin.enableServer=true',
        `admin.serverPort=${p.admin}`,
        'admin.serverAddress=127.0.0.1',
        `4lw.commands.whitelist=${opts.whitelist ?? 'srvr,mntr,ruok'}`,
        ...servers,
        '',
      ].join('\n'),
    );
    const node: ZkNode = {
      id: i + 1,
      clientPort: p.client,
      adminPort: p.admin,
      address: `127.0.0.1:${p.client}`,
      adminUrl: `http://127.0.0.1:${p.admin}`,
      async kill() {
        await node.proc?.kill();
        node.proc = undefined;
      },
      async start() {
        node.proc = spawnServer('java', ['-Xmx128m', '-XX:+UseSerialGC', '-cp', CLASSPATH, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg]);
        await waitForPort(p.client, node.proc, 30_000);
        await waitForPort(p.admin, node.proc, 30_000);
        // The port opens before the server answers; a cold JVM takes a while more.
        const deadline = Date.now() + 30_000;
        while ((await rawExchange(p.client, 'ruok', /imok/, 3000).catch(() => '')) !== 'imok') {
          if (Date.now() > deadline) throw new Error(`ZooKeeper ${i + 1} never answered ruok:\n${node.proc.output().slice(-2000)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      },
    };
    return node;
  });
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await untilServing(nodes);
  } catch (e) {
    await Promise.all(nodes.map((n) => n.kill()));
    tmp.remove();
    throw e;
  }
  return {
    nodes,
    async stop() {
      await Promise.all(nodes.map((n) => n.kill()));
      tmp.remove();
    },
  };
}
