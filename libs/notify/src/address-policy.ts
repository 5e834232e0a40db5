import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Outbound webhooks must not be turned against the network Nines runs in: loopback, private,
 * link-local (cloud metadata) and unique-local addresses are refused unless a receiver says
 * allow_private.
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['224.0.0.0', 3]] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
// ::/96 holds ::, ::1 and the IPv4-compatible ::a.b.c.d; IPv4-mapped ::ffff:a.b.c.d is checked
// against the IPv4 ranges by BlockList itself, in dotted and in hex form (URLs normalise to hex).
for (const [net, bits] of [['::', 96], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export function privateAddressReason(ip: string): string {
  return `refusing to send to private address ${ip} (set allow_private: true on the receiver to allow it)`;
}

/** Resolves the host and returns a refusal reason when any address it maps to is private. */
export async function privateTargetReason(hostname: string): Promise<string | undefined> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addrs = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const bad = addrs.find(isPrivateAddress);
  return bad ? privateAddressReason(bad) : undefined;
}
