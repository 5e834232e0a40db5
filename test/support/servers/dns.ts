import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as dnsPacket from 'dns-packet';

/**
 * A real UDP DNS server on 127.0.0.1, answering from a zone the test writes. The handler can
 * return a packet to encode, raw bytes (for garbage) or undefined to stay silent.
 */
export type DnsHandler = (query: dnsPacket.Packet, raw: Buffer) => dnsPacket.Packet | Buffer | undefined;

export interface TestDnsServer {
  port: number;
  /** host:port, the form of the dns driver's `server` field. */
  address: string;
  queries: dnsPacket.Packet[];
  close(): Promise<void>;
}

export async function startDnsServer(handler: DnsHandler): Promise<TestDnsServer> {
  const sock = dgram.createSocket('udp4');
  const queries: dnsPacket.Packet[] = [];
  sock.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    queries.push(query);
    const out = handler(query, msg);
    if (!out) return;
    sock.send(Buffer.isBuffer(out) ? out : dnsPacket.encode(out), rinfo.port, rinfo.address);
  });
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const port = sock.address().port;
  return { port, address: `127.0.0.1:${port}`, queries, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

export type Zone = Record<string, dnsPacket.Answer[]>;

const RCODE_FLAG: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

/** An authoritative response to `query` with the given answers and rcode (NOERROR, NXDOMAIN…). */
export function response(query: dnsPacket.Packet, answers: dnsPacket.Answer[], rcode: keyof typeof RCODE_FLAG = 'NOERROR'): dnsPacket.Packet {
  return {
    id: query.id,
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | RCODE_FLAG[rcode],
    questions: query.questions,
    answers,
  };
}

/** Answers from `zone` by name and type: NXDOMAIN for unknown names, no answers for a missing type. */
export function zoneHandler(zone: Zone): DnsHandler {
  return (query) => {
    const q = query.questions?.[0];
    if (!q) return undefined;
    const records = zone[q.name.toLowerCase()];
    if (!records) return response(query, [], 'NXDOMAIN');
    return response(
      query,
      records.filter((r) => r.type === q.type),
    );
  };
}
