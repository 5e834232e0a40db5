import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on 127.0.0.1 that a test can take down (connections refused) and bring back on the same port. */
export interface RestartableServer {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
}

/** Listens on a free port; `onDown` runs before the server closes (to drop requests held open). */
export async function startRestartableServer(handler: (req: IncomingMessage, res: ServerResponse) => void, onDown?: () => void): Promise<RestartableServer> {
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const s = createServer(handler);
    s.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  await listen();
  return {
    port,
    down: () =>
      new Promise<void>((r) => {
        const s = server;
        server = undefined;
        onDown?.();
        if (!s) return r();
        s.close(() => r());
        s.closeAllConnections();
      }),
    up: async () => {
      if (!server) await listen();
    },
  };
}
