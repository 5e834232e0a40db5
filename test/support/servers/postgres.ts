import { startTcpServer, type TestServer } from './tcp';

/**
 * Just enough of the PostgreSQL wire protocol to fail a login the way a real server does: it
 * reads the startup message, asks for a password (cleartext or MD5), records what arrived and
 * answers with an ErrorResponse. The local cluster trusts every login, so this is how the tests
 * see an authentication failure without running a second cluster.
 */
export interface FakePostgres extends TestServer {
  /** Startup parameters (user, database…) of each connection. */
  startups: Record<string, string>[];
  /** Password messages received, as sent (cleartext, "md5…", or the SCRAM client-final message). */
  passwords: string[];
}

export interface FakePostgresOptions {
  /** scram runs SCRAM-SHA-256 up to the server-first message, as PostgreSQL 14+ does by default. */
  auth: 'cleartext' | 'md5' | 'scram';
  /** SQLSTATE and message of the ErrorResponse sent after the password. */
  error?: { code: string; message: string };
}

export async function startFakePostgres(opts: FakePostgresOptions): Promise<FakePostgres> {
  const startups: Record<string, string>[] = [];
  const passwords: string[] = [];
  const error = opts.error ?? { code: '28P01', message: 'password authentication failed for user "nines_probe_pw"' };
  const server = await startTcpServer((sock) => {
    let buf = Buffer.alloc(0);
    let started = false;
    let scramStarted = false;
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!started) {
        if (buf.length < 4 || buf.length < buf.readInt32BE(0)) return;
        const len = buf.readInt32BE(0);
        const fields = buf.toString('utf8', 8, len).split('\0');
        const params: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length && fields[i]; i += 2) params[fields[i]] = fields[i + 1];
        startups.push(params);
        buf = buf.subarray(len);
        started = true;
        if (opts.auth === 'scram') sock.write(authRequest(10, Buffer.from('SCRAM-SHA-256\0\0')));
        else sock.write(opts.auth === 'md5' ? authRequest(5, Buffer.from([1, 2, 3, 4])) : authRequest(3));
      }
      while (buf.length >= 5 && buf[0] === 0x70 /* p */ && buf.length >= 1 + buf.readInt32BE(1)) {
        const len = buf.readInt32BE(1);
        const body = buf.subarray(5, 1 + len);
        buf = buf.subarray(1 + len);
        if (opts.auth === 'scram' && !scramStarted) {
          // SASLInitialResponse: mechanism, then "n,,n=*,r=<client nonce>"; answer with server-first.
          scramStarted = true;
          const nonce = /r=([^,]+)/.exec(body.toString('utf8'))?.[1] ?? '';
          sock.write(authRequest(11, Buffer.from(`r=${nonce}fakeservernonce,s=${Buffer.from('nines-salt').toString('base64')},i=4096`)));
          continue;
        }
        passwords.push(body.toString('utf8').replace(/\0$/, ''));
        sock.end(errorResponse(error.code, error.message));
      }
    });
  });
  return { ...server, startups, passwords };
}

function authRequest(kind: number, salt?: Buffer): Buffer {
  const body = Buffer.alloc(4 + (salt?.length ?? 0));
  body.writeInt32BE(kind, 0);
  salt?.copy(body, 4);
  return message('R', body);
}

function errorResponse(code: string, text: string): Buffer {
  const field = (t: string, v: string) => Buffer.concat([Buffer.from(t), Buffer.from(v, 'utf8'), Buffer.from([0])]);
  return message('E', Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])]));
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
