import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { NotifyError } from './notification';

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

// 64:ff9b:1::/48 is for NAT64 inside one network (RFC 8215): local by definition.
PRIVATE.addSubnet('64:ff9b:1::', 48, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (already known valid), with an embedded dotted IPv4 tail expanded. */
function hextets(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16));
}

/**
 * IPv4 addresses carried inside IPv6 ones that a translator or relay turns back into IPv4:
 * NAT64's well-known prefix 64:ff9b::/96 (RFC 6052) and 6to4's 2002::/16 (RFC 3056).
 */
function embeddedIPv4(ip: string): string | undefined {
  const g = hextets(ip);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return undefined;
}

export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  if (PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const inner = family === 6 ? embeddedIPv4(ip) : undefined;
  return inner !== undefined && PRIVATE.check(inner, 'ipv4');
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

/**
 * Refuses a receiver address in the network Nines runs in (unless the receiver allows private
 * ones): a lookup that fails is retryable, a refused address is not.
 */
export async function assertAllowedTarget(url: URL, allowPrivate: boolean | undefined): Promise<void> {
  if (allowPrivate) return;
  let reason: string | undefined;
  try {
    reason = await privateTargetReason(url.hostname);
  } catch (err) {
    throw new NotifyError(`cannot resolve ${url.hostname}: ${(err as NodeJS.ErrnoException).code ?? 'lookup failed'}`, true);
  }
  if (reason) throw new NotifyError(reason, false);
}
