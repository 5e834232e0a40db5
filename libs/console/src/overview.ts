import type { SystemDef } from '../../config/src/config';
import type { SystemTopology } from '../../topology/src/topology';
import type { Health, IncidentBadge, MemberCard, SystemCard } from './cards';

/** Layers top to bottom, as a request travels: the console stacks systems in this order. */
export const LAYER_ORDER = ['access', 'proxy', 'gateway', 'service', 'registry', 'coordination', 'cache', 'search', 'queue', 'storage', 'network', 'external'] as const;

export type { Health, IncidentBadge, MemberCard, SystemCard } from './cards';

export interface OpenIncident {
  id: number;
  title: string;
  severity: string;
  systems: string[];
  acknowledged_at: Date | string | null;
  drill: boolean;
  opened_at: Date | string;
}

const VIP_KINDS = new Set(['vip', 'keepalived']);
const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());

/** The incident a system is in: the newest open one naming it. */
export function incidentOf(system: string, open: OpenIncident[]): IncidentBadge | undefined {
  const inc = open.filter((i) => i.systems.includes(system)).sort((a, b) => Date.parse(iso(b.opened_at)) - Date.parse(iso(a.opened_at)))[0];
  return inc && { id: inc.id, title: inc.title, severity: inc.severity, acknowledged: !!inc.acknowledged_at, drill: inc.drill, opened_at: iso(inc.opened_at) };
}

/**
 * One system as the overview shows it, from its definition and its stored topology (what the
 * prober last committed): members in config order with role and lag, who is primary or holds
 * the VIP, and a health word with the reasons behind it. No topology yet: unknown.
 */
export function systemCard(def: Pick<SystemDef, 'name' | 'layer' | 'kind' | 'members' | 'endpointKey' | 'expect'>, t: SystemTopology | undefined, open: OpenIncident[]): SystemCard {
  const incident = incidentOf(def.name, open);
  if (!t) return { name: def.name, layer: def.layer, kind: def.kind, health: 'unknown', problems: ['not observed yet'], members: def.members.map((m) => ({ name: m.name, status: 'unknown' })), incident };
  const problems: string[] = [];
  const members: MemberCard[] = def.members.map(({ name }) => {
    const m = t.members[name];
    if (!m) return { name, status: 'unknown' };
    const lagSeconds = m.lagSeconds ?? m.peerLag?.lagSeconds;
    const lagBytes = m.lagBytes ?? m.peerLag?.lagBytes;
    const problem = m.broken ? `replication broken: ${m.broken}` : m.lagging ? 'lagging' : undefined;
    if (m.status === 'down') problems.push(`${name} down`);
    else if (problem) problems.push(`${name} ${problem}`);
    if (m.pool) for (const [id, s] of Object.entries(m.pool)) if (!/^UP/i.test(s)) problems.push(`${id} ${s}`);
    return { name, status: m.status, role: m.status === 'up' ? m.role : (m.role ?? m.roleBeforeDown), lag_seconds: lagSeconds, lag_bytes: lagBytes, problem };
  });
  if (t.endpoint?.status === 'down') problems.unshift(`endpoint down${t.endpoint.reason ? `: ${t.endpoint.reason}` : ''}`);
  if (t.conditions.noPrimary) problems.unshift('no primary');
  if (t.conditions.splitBrain) problems.unshift(`split brain: ${t.primaries.join(', ')}`);
  if (t.conditions.degraded) problems.push('fewer healthy replicas than expected');
  for (const msg of Object.values(t.external ?? {})) problems.push(msg);
  const anyUp = members.some((m) => m.status === 'up');
  const observed = members.some((m) => m.status !== 'unknown') || !!t.endpoint;
  const down = t.endpoint ? t.endpoint.status === 'down' : !anyUp || (t.conditions.noPrimary && (def.expect.primaries ?? 0) > 0);
  const health: Health = !observed ? 'unknown' : down ? 'down' : problems.length ? 'degraded' : 'up';
  return {
    name: def.name,
    layer: def.layer,
    kind: def.kind,
    health,
    problems,
    primary: t.primaries.length === 1 ? t.primaries[0] : undefined,
    vip_holder: VIP_KINDS.has(def.kind) ? t.leader : undefined,
    endpoint: t.endpoint?.status,
    members,
    incident,
    updated_at: new Date(t.updatedAt).toISOString(),
  };
}

/** Systems in layer order, then by name; layers Nines does not know go last. */
export function byLayer<T extends { layer: string; name: string }>(cards: T[]): T[] {
  const rank = (l: string) => {
    const i = (LAYER_ORDER as readonly string[]).indexOf(l);
    return i < 0 ? LAYER_ORDER.length : i;
  };
  return [...cards].sort((a, b) => rank(a.layer) - rank(b.layer) || a.name.localeCompare(b.name));
}
