import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export type Stack = 'nines' | 'prometheus';

/**
 * The monitored service: one HTTP server with many endpoint paths, each healthy (200) or failing
 * (503) as the benchmark decides. Both stacks probe the same server and see the same answers;
 * 503 rather than a closed listener, so a kept-alive connection cannot outlive the failure and
 * neither prober meets a connect timeout the other does not. It also notes, per stack, the first
 * probe answered 503 after each flip: the detection part of the latency, measured from outside.
 */
export class TargetServer {
  private server?: http.Server;
  private failing = new Set<string>();
  private firstFailed = new Map<string, number>(); // `${stack}/${id}` → performance.now()
  /** Requests served, by stack: how often each really probes. */
  readonly hits = { nines: 0, prometheus: 0 };
  readonly token = `x${Math.random().toString(36).slice(2, 8)}`;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const id = (req.url ?? '').split('?')[0].split('/').pop() ?? '';
      const stack: Stack = /Nines/.test(req.headers['user-agent'] ?? '') ? 'nines' : 'prometheus';
      this.hits[stack] += 1;
      if (this.failing.has(id)) {
        const key = `${stack}/${id}`;
        if (!this.firstFailed.has(key)) this.firstFailed.set(key, performance.now());
        res.writeHead(503, { 'content-type': 'text/plain', connection: 'close' }).end('failing\n');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      }
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  url(id: string): string {
    return `http://127.0.0.1:${this.port}/${this.token}/${id}`;
  }

  /** Flips endpoints to failing (or back); returns the instant, performance.now(). */
  set(ids: string[], failing: boolean): number {
    for (const id of ids) {
      if (failing) {
        this.failing.add(id);
        this.firstFailed.delete(`nines/${id}`);
        this.firstFailed.delete(`prometheus/${id}`);
      } else this.failing.delete(id);
    }
    return performance.now();
  }

  firstFailedProbe(stack: Stack, id: string): number | undefined {
    return this.firstFailed.get(`${stack}/${id}`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface Arrival {
  stack: Stack;
  id: string;
  status: 'firing' | 'resolved';
  at: number; // performance.now() when the request's headers arrived
}

/**
 * The one webhook receiver of both stacks: /nines (Nines' standard format) and /am
 * (Alertmanager webhook v4). Arrival is stamped when the request's headers are parsed, before
 * the body is read, so body size does not favour either side. /deliveries only counts (the
 * throughput part), by webhook-id so a duplicate delivery would show.
 */
export class WebhookReceiver {
  private server?: http.Server;
  port = 0;
  arrivals: Arrival[] = [];
  private waiters = new Set<() => void>();
  deliveries = 0;
  deliveryIds = new Set<string>();
  unparsed = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const at = performance.now();
      const path = (req.url ?? '').split('?')[0];
      if (path === '/deliveries') {
        this.deliveries += 1;
        const id = req.headers['webhook-id'];
        if (typeof id === 'string') this.deliveryIds.add(id);
        req.resume();
        req.on('end', () => res.writeHead(200).end());
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200).end();
        const stack: Stack | undefined = path === '/nines' ? 'nines' : path === '/am' ? 'prometheus' : undefined;
        if (!stack) return;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: { status: string; labels: Record<string, string> }[] };
          for (const a of body.alerts ?? []) {
            const id = stack === 'nines' ? a.labels.target : (a.labels.instance ?? '').split('/').pop();
            if (!id || (a.status !== 'firing' && a.status !== 'resolved')) continue;
            this.arrivals.push({ stack, id, status: a.status, at });
          }
        } catch {
          this.unparsed += 1;
        }
        for (const w of this.waiters) w();
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The first arrival of (stack, id, status) at or after `since`. */
  first(stack: Stack, id: string, status: Arrival['status'], since: number): Arrival | undefined {
    return this.arrivals.find((a) => a.stack === stack && a.id === id && a.status === status && a.at >= since);
  }

  /** Resolves when `done()` holds (checked on every arrival) or after timeoutMs; true if it held. */
  waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (v: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
