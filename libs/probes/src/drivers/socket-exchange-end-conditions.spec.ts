import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { ProbeTimeoutError, reasonFromError } from '../reasons';
import { socketExchange, type ExchangeEnd } from './socket-exchange';

/** A server on 127.0.0.1 whose behaviour per connection is given by the test; records what it was sent and when each connection closed. */
class TestServer {
  readonly server: net.Server;
  received: string[] = [];
  private closedWaiters: (() => void)[] = [];
  closed = 0;
  constructor(onConnection: (socket: net.Socket, request: string) => void) {
    this.server = net.createServer((socket) => {
      socket.setEncoding('latin1');
      let answered = false;
      socket.on('data', (d: string) => {
        this.received.push(d);
        if (!answered) {
          answered = true;
          onConnection(socket, d);
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.closed++;
        for (const w of this.closedWaiters.splice(0)) w();
      });
    });
  }
  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as net.AddressInfo).port;
  }
  /** Resolves once a client connection has closed on the server side (the client destroyed its socket). */
  connectionClosed(): Promise<void> {
    if (this.closed > 0) return Promise.resolve();
    return new Promise((r) => this.closedWaiters.push(r));
  }
  async close(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }
}

const run = (port: number, end: ExchangeEnd, signal: AbortSignal = new AbortController().signal, maxLength = 1 << 20, request = 'stats\r\n') =>
  socketExchange({ host: '127.0.0.1', port, request, end, encoding: 'latin1', maxLength, signal });

const endLine = (text: string) => /(^|\r\n)END\r\n$/.test(text);

function rejectsWith(p: Promise<unknown>, check: (e: Error & { code?: string }) => void): Promise<void> {
  return p.then(
    () => assert.fail('expected the exchange to fail'),
    (e: Error & { code?: string }) => check(e),
  );
}

describe('socketExchange: terminator end condition', () => {
  let srv: TestServer;
  let port: number;
  before(async () => {
    // Answers in two pieces, the terminator in the second, and keeps the connection open.
    srv = new TestServer((socket) => {
      socket.write('STAT a 1\r\nST');
      setTimeout(() => socket.write('AT b 2\r\nEND\r\n'), 20);
    });
    port = await srv.listen();
  });
  after(() => srv.close());

  it('sends the request, collects across chunks, stops at the terminator and closes its socket', async () => {
    const reply = await run(port, endLine);
    assert.equal(reply, 'STAT a 1\r\nSTAT b 2\r\nEND\r\n');
    assert.equal(srv.received.join(''), 'stats\r\n');
    // The server never closes: the client must have hung up itself.
    await srv.connectionClosed();
  });
});

describe('socketExchange: the server closes the connection', () => {
  it("close end condition: the reply is everything read before the server's close", async () => {
    const srv = new TestServer((socket) => {
      socket.write('Zookeeper version: 3.8.4\n');
      setTimeout(() => socket.end('Mode: leader\n'), 20);
    });
    const port = await srv.listen();
    try {
      assert.equal(await run(port, 'close', undefined, undefined, 'srvr'), 'Zookeeper version: 3.8.4\nMode: leader\n');
      assert.equal(srv.received.join(''), 'srvr');
    } finally {
      await srv.close();
    }
  });

  it('close end condition: a close with nothing sent is an empty reply, not an error', async () => {
    const srv = new TestServer((socket) => socket.end());
    const port = await srv.listen();
    try {
      assert.equal(await run(port, 'close'), '');
    } finally {
      await srv.close();
    }
  });

  it('terminator end condition: a close before the terminator returns what was read (the caller sees it cut short)', async () => {
    const srv = new TestServer((socket) => socket.end('STAT a 1\r\n'));
    const port = await srv.listen();
    try {
      const reply = await run(port, endLine);
      assert.equal(reply, 'STAT a 1\r\n');
      assert.equal(endLine(reply), false);
    } finally {
      await srv.close();
    }
  });

  it('terminator end condition: a close with nothing read fails as "connection closed by peer"', async () => {
    const srv = new TestServer((socket) => socket.end());
    const port = await srv.listen();
    try {
      await rejectsWith(run(port, endLine), (e) => {
        assert.equal(e.code, 'EPIPE');
        assert.equal(reasonFromError(e), 'connection closed by peer');
      });
    } finally {
      await srv.close();
    }
  });
});

describe('socketExchange: failures', () => {
  it('a server that never finishes: the abort signal ends it as a timeout, for either end condition', async () => {
    const srv = new TestServer((socket) => socket.write('STAT a 1\r\n'));
    const port = await srv.listen();
    try {
      for (const end of ['close', endLine] as ExchangeEnd[]) {
        const started = Date.now();
        await rejectsWith(run(port, end, AbortSignal.timeout(150)), (e) => {
          assert.ok(e instanceof ProbeTimeoutError);
          assert.equal(reasonFromError(e, 150), 'timeout after 150ms');
        });
        assert.ok(Date.now() - started >= 100, 'failed before the timeout');
      }
      // Both client sockets were destroyed on abort.
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(srv.closed, 2);
    } finally {
      await srv.close();
    }
  });

  it('an already aborted signal fails at once without connecting', async () => {
    let connections = 0;
    const srv = new TestServer(() => undefined);
    srv.server.on('connection', () => connections++);
    const port = await srv.listen();
    try {
      const ac = new AbortController();
      ac.abort();
      await rejectsWith(run(port, endLine, ac.signal), (e) => assert.ok(e instanceof ProbeTimeoutError));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(connections, 0);
    } finally {
      await srv.close();
    }
  });

  it('aborting mid-exchange fails as a timeout', async () => {
    const srv = new TestServer(() => undefined);
    const port = await srv.listen();
    try {
      const ac = new AbortController();
      const p = run(port, 'close', ac.signal);
      setTimeout(() => ac.abort(), 30);
      await rejectsWith(p, (e) => assert.equal(reasonFromError(e, 5000), 'timeout after 5s'));
    } finally {
      await srv.close();
    }
  });

  it('a refused connection fails as "connection refused"', async () => {
    const srv = new TestServer(() => undefined);
    const port = await srv.listen();
    await srv.close();
    for (const end of ['close', endLine] as ExchangeEnd[]) {
      await rejectsWith(run(port, end), (e) => {
        assert.equal(e.code, 'ECONNREFUSED');
        assert.equal(reasonFromError(e), 'connection refused');
      });
    }
  });

  it('a reply longer than maxLength fails with ERESP "reply too large", for either end condition', async () => {
    const srv = new TestServer((socket) => socket.write('x'.repeat(200)));
    const port = await srv.listen();
    try {
      for (const end of ['close', endLine] as ExchangeEnd[]) {
        await rejectsWith(run(port, end, undefined, 100), (e) => {
          assert.equal(e.code, 'ERESP');
          assert.equal(e.message, 'reply too large');
        });
      }
    } finally {
      await srv.close();
    }
  });
});
