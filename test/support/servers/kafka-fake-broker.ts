import * as net from 'node:net';
import { once } from 'node:events';

/**
 * A minimal Kafka broker for driver tests: it speaks the real wire protocol (size-prefixed
 * frames, request header v1, response header v0) for the two requests an admin client needs to
 * read cluster metadata — ApiVersions v0–v2 and Metadata v0–v1 — and answers Metadata from a
 * recorded cluster description. Anything else gets its connection closed.
 */
export interface RecordedPartition {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  /** Kafka error code for the partition (5 = LEADER_NOT_AVAILABLE for an offline partition). */
  error?: number;
}

export interface RecordedCluster {
  /** Broker ids; each gets its own listening port, all answering from the same recorded state. */
  brokers: number[];
  controller: number;
  topics: { name: string; internal?: boolean; partitions: RecordedPartition[] }[];
}

export interface FakeKafka {
  /** The first broker's address: the bootstrap server to give a client. */
  port: number;
  address: string;
  /** Every broker's port by id. */
  ports: Map<number, number>;
  requests: { apiKey: number; apiVersion: number; topics?: string[] | null }[];
  /** Replace the recorded state; brokers missing from it stop listening, as a killed broker does. */
  setCluster(c: RecordedCluster): void;
  close(): Promise<void>;
}

const API_VERSIONS = 18;
const METADATA = 3;

class Writer {
  private parts: Buffer[] = [];
  int16(v: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  bool(v: boolean) {
    this.parts.push(Buffer.from([v ? 1 : 0]));
    return this;
  }
  string(s: string | null) {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    this.int16(b.length);
    this.parts.push(b);
    return this;
  }
  array<T>(items: T[], each: (w: Writer, item: T) => void) {
    this.int32(items.length);
    for (const it of items) each(this, it);
    return this;
  }
  buffer() {
    return Buffer.concat(this.parts);
  }
}

function readRequest(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number; body: Buffer } {
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  const correlationId = frame.readInt32BE(4);
  const clientIdLen = frame.readInt16BE(8);
  const body = frame.subarray(10 + Math.max(0, clientIdLen));
  return { apiKey, apiVersion, correlationId, body };
}

function readTopics(body: Buffer): string[] | null {
  const n = body.readInt32BE(0);
  if (n < 0) return null;
  const out: string[] = [];
  let i = 4;
  for (let k = 0; k < n; k++) {
    const len = body.readInt16BE(i);
    out.push(body.toString('utf8', i + 2, i + 2 + len));
    i += 2 + len;
  }
  return out;
}

export async function startFakeKafka(initial: RecordedCluster): Promise<FakeKafka> {
  let cluster = initial;
  const requests: FakeKafka['requests'] = [];
  const sockets = new Set<net.Socket>();
  const servers = new Map<number, net.Server>();
  const ports = new Map<number, number>();
  const handle = (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const frame = buf.subarray(4, 4 + size);
        buf = buf.subarray(4 + size);
        const req = readRequest(frame);
        const w = new Writer().int32(req.correlationId);
        if (req.apiKey === API_VERSIONS) {
          requests.push({ apiKey: req.apiKey, apiVersion: req.apiVersion });
          w.int16(0).array(
            [
              [METADATA, 0, 1],
              [API_VERSIONS, 0, 2],
            ],
            (x, [k, min, max]) => x.int16(k).int16(min).int16(max),
          );
          if (req.apiVersion >= 1) w.int32(0); // throttle_time_ms
        } else if (req.apiKey === METADATA && req.apiVersion <= 1) {
          const wanted = readTopics(req.body);
          requests.push({ apiKey: req.apiKey, apiVersion: req.apiVersion, topics: wanted });
          w.array(cluster.brokers, (x, id) => {
            x.int32(id).string('127.0.0.1').int32(ports.get(id) ?? 1);
            if (req.apiVersion >= 1) x.string(null); // rack
          });
          if (req.apiVersion >= 1) w.int32(cluster.controller);
          // Metadata v1: an empty or null topic list means "all topics".
          const names = wanted === null || (req.apiVersion === 0 && wanted.length === 0) ? cluster.topics.map((t) => t.name) : wanted;
          w.array(names, (x, name) => {
            const t = cluster.topics.find((tt) => tt.name === name);
            if (!t) {
              x.int16(3).string(name); // UNKNOWN_TOPIC_OR_PARTITION
              if (req.apiVersion >= 1) x.bool(false);
              x.int32(0);
              return;
            }
            x.int16(0).string(t.name);
            if (req.apiVersion >= 1) x.bool(t.internal ?? false);
            x.array(t.partitions, (y, p) =>
              y
                .int16(p.error ?? 0)
                .int32(p.partition)
                .int32(p.leader)
                .array(p.replicas, (z, r) => z.int32(r))
                .array(p.isr, (z, r) => z.int32(r)),
            );
          });
        } else {
          sock.destroy();
          return;
        }
        const body = w.buffer();
        const head = Buffer.alloc(4);
        head.writeInt32BE(body.length);
        sock.write(Buffer.concat([head, body]));
      }
    });
  };
  for (const id of initial.brokers) {
    const server = net.createServer(handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.set(id, server);
    ports.set(id, (server.address() as net.AddressInfo).port);
  }
  const closeServer = (id: number) =>
    new Promise<void>((resolve) => {
      const srv = servers.get(id);
      servers.delete(id);
      if (!srv) return resolve();
      for (const s of sockets) if (s.localPort === ports.get(id)) s.destroy();
      srv.close(() => resolve());
    });
  const port = ports.get(initial.brokers[0])!;
  return {
    port,
    address: `127.0.0.1:${port}`,
    ports,
    requests,
    setCluster: (c) => {
      cluster = c;
      for (const id of [...servers.keys()]) if (!c.brokers.includes(id)) void closeServer(id);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([...servers.keys()].map(closeServer));
    },
  };
}
