import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for delivery tests (smtp-server), every accepted message parsed with
 * mailparser. It can be stopped and started again on the same port (an SMTP outage), and made to
 * refuse logins for a while (its refusals echo the password, as a careless server might, so the
 * tests can check Nines does not repeat it).
 */
export interface SmtpSink {
  port: number;
  mails: ParsedMail[];
  /** Logins seen (user and password as the client sent them). */
  logins: { user: string; pass: string }[];
  /** Refuse this many logins with a temporary error (454) before accepting again. */
  refuseLogins(n: number): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { user: string; pass: string; tls: { key: string; cert: string }; port?: number }): Promise<SmtpSink> {
  const mails: ParsedMail[] = [];
  const logins: { user: string; pass: string }[] = [];
  let refuse = 0;
  let server: SMTPServer | undefined;
  let port = opts.port ?? 0;

  const make = () =>
    new SMTPServer({
      key: opts.tls.key,
      cert: opts.tls.cert,
      authMethods: ['PLAIN', 'LOGIN'],
      // Nines is configured with starttls: required, so logins happen over TLS anyway.
      allowInsecureAuth: false,
      logger: false,
      onAuth(auth, _session, cb) {
        logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
        if (refuse > 0) {
          refuse--;
          return cb(Object.assign(new Error(`Temporary authentication failure for ${auth.username}/${auth.password}`), { responseCode: 454 }));
        }
        if (auth.username === opts.user && auth.password === opts.pass) return cb(null, { user: auth.username });
        return cb(Object.assign(new Error(`Invalid credentials ${auth.username}:${auth.password}`), { responseCode: 535 }));
      },
      onData(stream, _session, cb) {
        simpleParser(stream)
          .then((m) => {
            mails.push(m);
            cb();
          })
          .catch((err: Error) => cb(err));
      },
    });

  const sink: SmtpSink = {
    get port() {
      return port;
    },
    mails,
    logins,
    refuseLogins: (n) => {
      refuse = n;
    },
    async start() {
      if (server) return;
      const s = make();
      s.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      port = (s.server.address() as AddressInfo).port;
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      // close() waits for open sessions; an outage cuts them.
      const closed = new Promise<void>((r) => s.close(() => r()));
      for (const conn of (s as unknown as { connections: Set<{ close(): void }> }).connections ?? []) conn.close();
      await closed;
    },
    close: () => sink.stop(),
  };
  await sink.start();
  return sink;
}
