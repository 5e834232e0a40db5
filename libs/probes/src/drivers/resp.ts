import * as net from 'node:net';
import * as tls from 'node:tls';
import { ProbeTimeoutError } from '../reasons';

/**
 * A small RESP2 client for probes: one connection, sequential commands, strict parsing. A probe
 * must turn garbage, truncated replies and wrong protocols into a reason, never a crash, and a
 * general-purpose client with reconnects and offline queues gets in the way of that.
 */
export type RespValue = string | number | null | RespValue[] | RespError;

export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }
}

export class RespProtocolError extends Error {
  readonly code = 'ERESP';
  constructor(message: string) {
    super(message);
  }
}

export type ParseOutcome = { value: RespValue; next: number } | undefined; // undefined: need more bytes

const notAReply = (buf: Buffer, pos: number) =>
  new RespProtocolError(`not a Redis reply (starts with ${JSON.stringify(buf.toString('latin1', pos, Math.min(pos + 12, buf.length)))})`);

/** Parses one RESP2 reply at `pos`; throws RespProtocolError on anything a Redis server would not send. */
export function parse(buf: Buffer, pos: number, depth = 0): ParseOutcome {
  if (pos >= buf.length) return undefined;
  if (depth > 8) throw new RespProtocolError('reply nested too deeply');
  // The first byte decides: garbage without a CRLF must fail now, not wait for the probe timeout.
  if (!'+-:$*'.includes(String.fromCharCode(buf[pos]))) throw notAReply(buf, pos);
  const lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd < 0) {
    if (buf.length - pos > 64 * 1024) throw new RespProtocolError('reply line too long');
    return undefined;
  }
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RespError(line), next: after };
    case ':': {
      const n = Number(line);
      if (!/^-?\d+$/.test(line)) throw new RespProtocolError('malformed integer reply');
      return { value: n, next: after };
    }
    case '$': {
      if (!/^-?\d+$/.test(line)) throw new RespProtocolError('malformed bulk length');
      const len = Number(line);
      if (len === -1) return { value: null, next: after };
      if (len < 0) throw new RespProtocolError('malformed bulk length');
      if (len > 16 * 1024 * 1024) throw new RespProtocolError('bulk reply too large');
      if (buf.length < after + len + 2) return undefined;
      if (buf[after + len] !== 13 || buf[after + len + 1] !== 10) throw new RespProtocolError('bulk reply not terminated');
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 };
    }
    case '*': {
      if (!/^-?\d+$/.test(line)) throw new RespProtocolError('malformed array length');
      const n = Number(line);
      if (n === -1) return { value: null, next: after };
      if (n < 0) throw new RespProtocolError('malformed array length');
      if (n > 1_000_000) throw new RespProtocolError('array reply too large');
      const out: RespValue[] = [];
      let p = after;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p, depth + 1);
        if (!r) return undefined;
        out.push(r.value);
        p = r.next;
      }
      return { value: out, next: p };
    }
    default:
      throw notAReply(buf, pos);
  }
}

function encode(args: (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export interface RespConnectOptions {
  host: string;
  port: number;
  tls?: boolean;
  tlsVerify?: boolean;
  signal: AbortSignal;
}

/** Pub/sub deliveries in RESP2: arrays that start with one of these are not replies to a command. */
const PUSH_KINDS = new Set(['message', 'pmessage', 'smessage']);

export class RespConnection {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
  private failure?: Error;
  private pushHandler?: (message: RespValue[]) => void;
  private failureHandlers: ((e: Error) => void)[] = [];

  private constructor(private socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(Object.assign(new Error('connection closed by server'), { code: 'EPIPE' })));
  }

  static connect(opts: RespConnectOptions): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        socket.destroy();
        reject(new ProbeTimeoutError());
      };
      const socket = opts.tls
        ? tls.connect({ host: opts.host, port: opts.port, rejectUnauthorized: opts.tlsVerify ?? true, servername: net.isIP(opts.host) ? undefined : opts.host }, ok)
        : net.connect({ host: opts.host, port: opts.port }, ok);
      socket.once('error', onError);
      function ok() {
        socket.removeListener('error', onError);
        opts.signal.removeEventListener('abort', onAbort);
        const conn = new RespConnection(socket);
        opts.signal.addEventListener('abort', () => conn.fail(new ProbeTimeoutError()), { once: true });
        resolve(conn);
      }
      function onError(e: Error) {
        opts.signal.removeEventListener('abort', onAbort);
        reject(e);
      }
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends one command; resolves with its reply. Server errors (-ERR …) are returned, not thrown. */
  command(...args: (string | number)[]): Promise<RespValue> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encode(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /**
   * For a subscribed connection: pub/sub messages ("message", "pmessage") go to `handler` instead
   * of being taken as the reply to the next command, so PING and (P)SUBSCRIBE still work.
   */
  onPush(handler: (message: RespValue[]) => void): void {
    this.pushHandler = handler;
  }

  /** Called once when the connection fails or closes (immediately if it already has). */
  onFailure(handler: (e: Error) => void): void {
    if (this.failure) handler(this.failure);
    else this.failureHandlers.push(handler);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    try {
      let pos = 0;
      while (this.pending.length || this.pushHandler) {
        const r = parse(this.buf, pos);
        if (!r) break;
        pos = r.next;
        if (this.pushHandler && Array.isArray(r.value) && typeof r.value[0] === 'string' && PUSH_KINDS.has(r.value[0])) {
          this.pushHandler(r.value);
          continue;
        }
        const p = this.pending.shift();
        if (!p) throw new RespProtocolError('unexpected data from server');
        p.resolve(r.value);
      }
      this.buf = this.buf.subarray(pos);
      if (!this.pending.length && this.buf.length && !this.pushHandler) throw new RespProtocolError('unexpected data from server');
    } catch (e) {
      this.fail(e as Error);
      this.socket.destroy();
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const p of this.pending.splice(0)) p.reject(e);
    for (const h of this.failureHandlers.splice(0)) h(e);
  }
}

/** Parses INFO output ("# Section\r\nkey:value\r\n") into a flat map. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Parses "ip=10.0.0.2,port=6380,state=online,offset=123,lag=0". */
export function parseKv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
