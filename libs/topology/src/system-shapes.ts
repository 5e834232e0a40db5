import type { NinesConfig, SystemDef } from '../../config/src/config';
import type { SystemShape } from './topology';

/** What topology needs to know of each configured system, by name; the one reading of the config for it. */
export function systemShapes(c: NinesConfig): Map<string, SystemShape> {
  const addressOf = new Map(c.targets.map((t) => [t.key, probeAddress(t.probe)]));
  return new Map(c.systems.map((s) => [s.name, systemShape(s, addressOf)]));
}

function systemShape(s: SystemDef, addressOf: Map<string, string | undefined>): SystemShape {
  return {
    name: s.name,
    kind: s.kind,
    expect: s.expect,
    members: s.members.map((m) => m.name),
    hasEndpoint: !!s.endpointKey,
    addresses: Object.fromEntries(s.members.flatMap((m) => (addressOf.get(m.key) ? [[m.name, addressOf.get(m.key)!]] : []))),
  };
}

/** "host:port" a member is probed at (from `url` or `address`), as peers list it. */
export function probeAddress(probe: Record<string, unknown>): string | undefined {
  if (typeof probe.address === 'string') return probe.address;
  if (typeof probe.url !== 'string') return undefined;
  try {
    const u = new URL(probe.url);
    const defaults: Record<string, string> = { 'redis:': '6379', 'rediss:': '6379', 'postgres:': '5432', 'postgresql:': '5432', 'mysql:': '3306' };
    return `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port || defaults[u.protocol] || ''}`;
  } catch {
    return undefined;
  }
}
