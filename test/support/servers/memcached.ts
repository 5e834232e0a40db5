import { freePort, spawnServer, waitForPort, type Spawned } from './spawned';

/** A private memcached on a free port (TCP only). */
export async function startMemcached(extra: string[] = []): Promise<{ port: number; address: string; proc: Spawned; kill(): Promise<void> }> {
  const port = await freePort();
  const args = ['-p', String(port), '-l', '127.0.0.1', '-U', '0', '-m', '16', ...extra];
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const proc = spawnServer('memcached', args);
  await waitForPort(port, proc);
  return { port, address: `127.0.0.1:${port}`, proc, kill: () => proc.kill() };
}
