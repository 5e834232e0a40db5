import * as net from 'node:net';
import * as tls from 'node:tls';
import { z } from 'zod';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';
import { ProbeTimeoutError, reasonFromError } from '../reasons';
import { compileUserRegex, type UserRegex } from '../../../common/src/user-regex';
import { hostPort, parseHostPort, regexField } from './fields';

const lines = z.union([z.string(), z.array(z.string()).nonempty()]);

export const tcpSchema = z
  .object({
    address: hostPort,
    send: lines.optional(),
    expect: z.union([regexField, z.array(regexField).nonempty()]).optional(),
    tls: z.boolean().default(false),
    tls_verify: z.boolean().default(true),
    server_name: z.string().optional(),
  })
  .strict();

export type TcpSpec = z.infer<typeof tcpSchema>;

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Connects, then runs the dialogue step by step: send[i] (a line), then wait until the bytes
 * received so far match expect[i]. Banner checks (expect with no send) work the same way.
 */
export async function probeTcp(spec: TcpSpec, ctx: ProbeContext): Promise<Observation> {
  const { host, port } = parseHostPort(spec.address)!;
  const sends = asList(spec.send);
  const expects = asList(spec.expect);
  const steps = Math.max(sends.length, expects.length);
  let socket: net.Socket | undefined;
  let certExpiry: number | undefined;
  try {
    socket = await connect(host, port, spec, ctx);
    if (socket instanceof tls.TLSSocket) {
      const c = socket.getPeerCertificate();
      if (c?.valid_to) certExpiry = Date.parse(c.valid_to) / 1000;
    }
    const reader = new LineReader(socket, ctx.signal);
    for (let i = 0; i < steps; i++) {
      if (sends[i] !== undefined) socket.write(sends[i].endsWith('\n') ? sends[i] : sends[i] + '\r\n');
      if (expects[i] !== undefined) {
        const re = compileUserRegex(expects[i]);
        const ok = await reader.waitFor(re);
        if (!ok) return { up: false, reason: `expected /${expects[i]}/, got ${JSON.stringify(reader.tail())}`, certExpiry };
      }
    }
    return { up: true, certExpiry };
  } catch (err) {
    return { up: false, reason: reasonFromError(err, ctx.timeoutMs), certExpiry };
  } finally {
    socket?.destroy();
  }
}

function connect(host: string, port: number, spec: TcpSpec, ctx: ProbeContext): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      sock.destroy();
      reject(new ProbeTimeoutError());
    };
    const sock: net.Socket = spec.tls
      ? tls.connect({ host, port, servername: spec.server_name ?? (net.isIP(host) ? undefined : host), rejectUnauthorized: spec.tls_verify }, done)
      : net.connect({ host, port }, done);
    function done() {
      ctx.signal.removeEventListener('abort', onAbort);
      sock.removeListener('error', fail);
      resolve(sock);
    }
    function fail(err: Error) {
      ctx.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      reject(err);
    }
    sock.once('error', fail);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

class LineReader {
  private buf = '';
  private closed = false;
  private waiter?: () => void;

  constructor(socket: net.Socket, private signal: AbortSignal) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf = (this.buf + d).slice(-65536);
      this.waiter?.();
    });
    const end = () => {
      this.closed = true;
      this.waiter?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
    signal.addEventListener('abort', () => this.waiter?.(), { once: true });
  }

  tail(): string {
    return this.buf.slice(-80);
  }

  /** Resolves true once the buffer matches (consuming it), false if the peer closes first. */
  async waitFor(re: UserRegex): Promise<boolean> {
    for (;;) {
      const m = re.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m.index + m[0].length);
        return true;
      }
      if (this.signal.aborted) throw new ProbeTimeoutError();
      if (this.closed) return false;
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = undefined;
    }
  }
}

export const tcpDriver: ProbeDriver<TcpSpec> = {
  kind: 'tcp',
  schema: tcpSchema,
  probe: probeTcp,
};
