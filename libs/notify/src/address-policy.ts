import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Outbound webhooks must not be turned against the network Nines runs in: loopback, private,
 * link-local (cloud metadata) and unique-local addresses are refused unless a receiver says
 * allow_private.
 */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v = ip.toLowerCase();
  if (v === '::1' || v === '::') return true;
  if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
  return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(v);
}

/** Resolves the host and returns a refusal reason when any address it maps to is private. */
export async function privateTargetReason(hostname: string): Promise<string | undefined> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addrs = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const bad = addrs.find(isPrivateAddress);
  return bad ? `refusing to send to private address ${bad} (set allow_private: true on the receiver to allow it)` : undefined;
}
