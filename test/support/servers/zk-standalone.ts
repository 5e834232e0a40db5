import { writeFileSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { freePort, startProcess, tempDir, type RunningProcess } from './processes';

export interface ZookeeperInstance {
  port: number;
  address: string;
  stop(): Promise<void>;
  output(): string;
}

/** Sends a four-letter word and returns the answer ('' when the server is not there yet). */
export function fourLetter(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(word));
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(''));
    s.setTimeout(2000, () => s.destroy());
  });
}

/**
 * A private standalone ZooKeeper (Debian's zookeeper jar) on a free port, data in a temp dir,
 * AdminServer off. Resolves once it answers `ruok`.
 */
export async function startZookeeper(): Promise<ZookeeperInstance> {
  const dir = tempDir('zk');
  const port = await freePort();
  mkdirSync(join(dir.path, 'data'));
  const cfg = join(dir.path, 'zoo.cfg');
  writeFileSync(
    cfg,
    [`tickTime=500`, `dataDir=${join(dir.path, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', '4lw.commands.whitelist=ruok,srvr', ''].join('\n'),
  );
  const proc: RunningProcess = startProcess('java', [
    '-Xms16m',
    '-Xmx96m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:-UsePerfData',
    '-Djava.net.preferIPv4Stack=true',
    '-cp',
    '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar',
    'org.apache.zookeeper.server.ZooKeeperServerMain',
    cfg,
  ]);
  const deadline = Date.now() + 30_000;
  while ((await fourLetter(port, 'ruok')) !== 'imok') {
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      await proc.stop();
      dir.remove();
      throw new Error(`ZooKeeper did not start on ${port}:\n${proc.output().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    output: proc.output,
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
