import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';

/**
 * Throwaway servers for driver tests. Every server listens on 127.0.0.1 port 0 and remembers its
 * sockets, so close() never waits on a client the test left hanging on purpose.
 */
export interface TestServer {
  port: number;
  /** host:port, the form the tcp and dns drivers take. */
  address: string;
  /** Client connections still open on the server side (a probe must close its socket on timeout). */
  openConnections(): number;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function listen(server: net.Server): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on('connection', (s: net.Socket) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: net.Socket) => s.on('error', () => undefined));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    openConnections: () => sockets.size,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A plain TCP server running `onSocket` for every connection. */
export function startTcpServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  return listen(net.createServer(onSocket));
}

/** A TLS server running `onSocket` for every connection once the handshake is done. */
export function startTlsServer(cert: { key: string; cert: string }, onSocket: (socket: tls.TLSSocket) => void): Promise<TestServer> {
  return listen(tls.createServer({ key: cert.key, cert: cert.cert }, onSocket));
}

/** Accepts connections and never says a word: the shape of a wedged process behind a live port. */
export function startSilentServer(): Promise<TestServer> {
  // Reads and drops what arrives; an unread buffer would keep the client's FIN from ever being seen.
  return startTcpServer((s) => s.resume());
}

/** Answers every connection (or its first bytes) with `reply`, then optionally closes. */
export function startReplyServer(reply: string | Buffer, opts: { when?: 'connect' | 'data'; thenClose?: boolean } = {}): Promise<TestServer> {
  return startTcpServer((s) => {
    const answer = () => {
      s.write(reply);
      if (opts.thenClose) s.end();
    };
    if (opts.when === 'data') s.once('data', answer);
    else answer();
  });
}

/** A port nothing listens on: bound, read back and released, so a connect gets ECONNREFUSED. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Resolves when `cond` holds, polling; rejects with `what` after `timeoutMs`. */
export async function waitUntil(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
