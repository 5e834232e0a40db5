import * as http from 'node:http';
import * as https from 'node:https';
import { listen, type TestServer } from './tcp';

/** What the server saw, so a test can check the probe really sent its method, headers and body. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestHttpServer extends TestServer {
  /** http(s)://127.0.0.1:port */
  origin: string;
  requests: RecordedRequest[];
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse) => void;

/** An HTTP (or, with a cert, HTTPS) server whose handler sees each request with its full body. */
export async function startHttpServer(handler: Handler, tlsCert?: { key: string; cert: string }): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      handler(rec, res);
    });
  };
  const server = tlsCert ? https.createServer({ key: tlsCert.key, cert: tlsCert.cert }, onRequest) : http.createServer(onRequest);
  const base = await listen(server);
  return { ...base, origin: `${tlsCert ? 'https' : 'http'}://127.0.0.1:${base.port}`, requests };
}

/** Replies with `status`, an optional body and headers. */
export function reply(res: http.ServerResponse, status: number, body = '', headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}
