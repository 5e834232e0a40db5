import * as net from 'node:net';
import { ProbeTimeoutError } from '../reasons';

/**
 * When a reply is complete:
 * - `'close'`: when the server ends or closes the connection (ZooKeeper's four-letter words). An
 *   empty reply is a reply, left for the caller to judge.
 * - a function: as soon as it returns true for the text read so far (a terminator line such as
 *   memcached's END). If the server closes first, what was read is the reply; a close with nothing
 *   read fails with code EPIPE ("connection closed by peer").
 */
export type ExchangeEnd = 'close' | ((text: string) => boolean);

export interface SocketExchange {
  host: string;
  port: number;
  /** Written once the connection is up. */
  request: string;
  end: ExchangeEnd;
  /** How received bytes become text. */
  encoding: 'latin1' | 'utf8';
  /** A reply longer than this (in characters) fails with code ERESP, message "reply too large". */
  maxLength: number;
  /** Aborting fails the exchange with ProbeTimeoutError. */
  signal: AbortSignal;
}

/** Connects, sends the request and collects the reply until `end` says it is complete; the socket is always destroyed. */
export function socketExchange(x: SocketExchange): Promise<string> {
  const { signal, end } = x;
  return new Promise((resolve, reject) => {
    let data = '';
    let settled = false;
    const socket = net.connect({ host: x.host, port: x.port });
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(data);
    };
    const onAbort = () => finish(new ProbeTimeoutError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding(x.encoding);
    socket.on('connect', () => socket.write(x.request));
    socket.on('data', (d: string) => {
      data += d;
      if (data.length > x.maxLength) finish(Object.assign(new Error('reply too large'), { code: 'ERESP' }));
      else if (end !== 'close' && end(data)) finish();
    });
    socket.on('error', (e) => finish(e));
    if (end === 'close') {
      socket.on('end', () => finish());
      socket.on('close', () => finish());
    } else {
      socket.on('close', () => finish(data ? undefined : Object.assign(new Error('closed'), { code: 'EPIPE' })));
    }
  });
}
