import type { Observation, ProbeResult, Role } from '../../probes/src/observation';
import type { TargetStatus } from '../../probes/src/target-state';
import type { EventKind, Severity, TopologyEvent } from './events';

/**
 * The current picture of one system — who is primary, who replicates and how far behind, what
 * the users' endpoint does — and the pure function that folds a new observation into it and
 * says what changed. Persisted as JSON; compared against every new observation.
 */
export interface MemberTopology {
  status: TargetStatus;
  role?: Role;
  leader?: string;
  epoch?: string;
  lagSeconds?: number;
  lagBytes?: number;
  /** Last LSN/offset seen (PostgreSQL current or receive LSN) for RPO estimates. */
  position?: string;
  /** Role before the member went down: lets us recognise an old primary rejoining. */
  roleBeforeDown?: Role;
  broken?: string;
  lagging?: boolean;
  lastSeenAt: number;
  lastUpAt?: number;
  firstFailureAt?: number;
  /** Load-balancer pool members (HAProxy servers …) by id → state. */
  pool?: Record<string, string>;
  intervalMs: number;
  /** Lag of this replica as its primary reports it (Redis: REPLCONF ACK age and offset). */
  peerLag?: { lagSeconds?: number; lagBytes?: number; at: number };
  /** Last observation while a replica, kept for RPO when this node gets promoted. */
  lastReplicaView?: { at: number; lagSeconds?: number; lagBytes?: number; position?: string };
}

export interface SystemTopology {
  system: string;
  members: Record<string, MemberTopology>;
  endpoint?: { status: TargetStatus; since: number; firstFailureAt?: number; intervalMs: number; reason?: string };
  /** Members currently up in a primary/leader role. */
  primaries: string[];
  /** Identity of the leader as the system reports it (member names or an address). */
  leader?: string;
  conditions: { splitBrain: boolean; noPrimary: boolean; degraded: boolean };
  /** Problems reported from outside (a firing Alertmanager alert, keepalived FAULT): key → message. */
  external?: Record<string, string>;
  /**
   * The labels of an external problem that is an alert in its own right (from Alertmanager),
   * by the same key: it is notified under its own alertname and severity, so routes written
   * for it keep matching.
   */
  externalLabels?: Record<string, Record<string, string>>;
  updatedAt: number;
}

export interface SystemShape {
  name: string;
  kind: string;
  expect: { primaries?: number; minReplicas?: number; maxLagMs?: number; maxLagBytes?: number };
  members: string[];
  hasEndpoint: boolean;
  /** member → "host:port" it is probed at, to match the replicas a primary lists. */
  addresses?: Record<string, string>;
}

export interface TopologyInput {
  member?: string; // undefined: the endpoint
  probeKind: string;
  intervalMs: number;
  result: ProbeResult;
  status: TargetStatus;
  firstFailureAt?: number;
}

const PRIMARY_ROLES: ReadonlySet<Role | undefined> = new Set(['primary', 'leader']);
const REPLICA_ROLES: ReadonlySet<Role | undefined> = new Set(['replica', 'follower']);
const POOL_KINDS = new Set(['haproxy']);
/** HAProxy server states that take traffic: UP (also "UP 1/3" while going down) and "no check". */
export const serving = (state: string) => /^UP\b/.test(state) || state === 'no check';

export function emptyTopology(system: string, now: number): SystemTopology {
  return { system, members: {}, primaries: [], conditions: { splitBrain: false, noPrimary: false, degraded: false }, updatedAt: now };
}

/** A system is healthy when nothing about it is down, missing, lagging or split. */
export function isHealthy(t: SystemTopology, shape: SystemShape): boolean {
  if (t.endpoint && t.endpoint.status !== 'up') return false;
  for (const name of shape.members) {
    const m = t.members[name];
    if (!m || m.status !== 'up' || m.broken || m.lagging) return false;
    if (m.pool && Object.values(m.pool).some((s) => !serving(s))) return false;
  }
  if (t.external && Object.keys(t.external).length) return false;
  return !t.conditions.splitBrain && !t.conditions.noPrimary && !t.conditions.degraded;
}

/** Folds one observation into the topology; returns the new topology and what happened. */
export function observe(prev: SystemTopology, shape: SystemShape, input: TopologyInput): { next: SystemTopology; events: TopologyEvent[] } {
  const next: SystemTopology = structuredClone(prev);
  const events: TopologyEvent[] = [];
  const at = input.result.scheduledAt;
  // An explicit `undefined` member marks a system-level event (a default parameter would replace it).
  const ev: Emit = (kind, severity, bad, message, details = {}, ...member) =>
    events.push({ kind, system: shape.name, member: member.length ? member[0] : input.member, at, severity, bad, message, details });
  // Results of several members arrive out of order (a slow probe scheduled earlier lands last):
  // the topology is as of the latest observation folded, never earlier.
  next.updatedAt = Math.max(prev.updatedAt, at);

  if (input.member === undefined) {
    observeEndpoint(next, shape, input, ev);
    return { next, events };
  }

  const name = input.member;
  const old = prev.members[name];
  const r = input.result;
  const m: MemberTopology = old ? { ...old } : { status: 'unknown', lastSeenAt: at, intervalMs: input.intervalMs };
  m.lastSeenAt = at;
  m.intervalMs = input.intervalMs;
  next.members[name] = m;

  // Up/down follows the thresholded status, not every single result.
  if (input.status !== m.status) {
    if (input.status === 'down') {
      m.roleBeforeDown = m.role ?? m.roleBeforeDown;
      m.firstFailureAt = input.firstFailureAt ?? at;
      const wasPrimary = PRIMARY_ROLES.has(m.role);
      ev('member_down', wasPrimary ? 'critical' : 'warning', true, `${shape.name}: ${wasPrimary ? `${m.role} ` : ''}${name} unreachable (${r.reason ?? 'probe failed'})`, {
        reason: r.reason,
        role: m.role,
        first_failure_at: m.firstFailureAt,
        last_lag_seconds: m.lagSeconds,
        last_lag_bytes: m.lagBytes,
        last_position: m.position,
      });
    } else if (input.status === 'up' && m.status === 'down') {
      ev('member_up', 'info', false, `${shape.name}: ${name} answers again${r.role ? ` as ${r.role}` : ''}`, { role: r.role, down_since: m.firstFailureAt });
    }
    m.status = input.status;
  }

  if (r.up) {
    m.lastUpAt = at;
    m.firstFailureAt = undefined;
    observeRole(m, shape, name, r, ev);
    observeReplication(m, shape, name, r, ev);
    notePeerLag(next, shape, r, at);
    if (POOL_KINDS.has(input.probeKind)) observePool(m, shape, name, r, ev);
  }

  recomputeSystem(next, shape, at, ev);
  return { next, events };
}

type Emit = (kind: EventKind, severity: Severity, bad: boolean, message: string, details?: Record<string, unknown>, ...member: [string | undefined] | []) => void;

function observeEndpoint(next: SystemTopology, shape: SystemShape, input: TopologyInput, ev: Emit): void {
  const at = input.result.scheduledAt;
  const prev = next.endpoint;
  const reason = input.result.reason;
  if (!prev) {
    next.endpoint = { status: input.status, since: at, intervalMs: input.intervalMs, firstFailureAt: input.status === 'down' ? (input.firstFailureAt ?? at) : undefined, reason };
    if (input.status === 'down') ev('service_down', 'critical', true, `${shape.name}: unreachable for users (${reason ?? 'probe failed'})`, { reason, first_failure_at: next.endpoint.firstFailureAt }, undefined);
    return;
  }
  prev.intervalMs = input.intervalMs;
  if (input.status === prev.status) return;
  if (input.status === 'down') {
    prev.firstFailureAt = input.firstFailureAt ?? at;
    prev.reason = reason;
    ev('service_down', 'critical', true, `${shape.name}: unreachable for users (${reason ?? 'probe failed'})`, { reason, first_failure_at: prev.firstFailureAt }, undefined);
  } else if (input.status === 'up' && prev.status === 'down') {
    ev('service_restored', 'info', false, `${shape.name}: serving users again`, { down_since: prev.firstFailureAt }, undefined);
    prev.firstFailureAt = undefined;
    prev.reason = undefined;
  }
  prev.status = input.status;
  prev.since = at;
}

function observeRole(m: MemberTopology, shape: SystemShape, name: string, r: Observation, ev: Emit): void {
  const before = m.role;
  // An old primary coming back as a replica is the last step of a failover story, not a demotion.
  const rejoining = !!r.role && REPLICA_ROLES.has(r.role) && PRIMARY_ROLES.has(m.roleBeforeDown);
  if (rejoining) {
    ev('rejoined', 'info', false, `${shape.name}: old ${m.roleBeforeDown} ${name} rejoined as ${r.role}${r.leader ? ` of ${r.leader}` : ''}`, { role: r.role, leader: r.leader, was: m.roleBeforeDown });
  } else if (r.role && before && r.role !== before) {
    ev('role_changed', 'major', true, `${shape.name}: ${name} changed role ${before} → ${r.role}`, { from: before, to: r.role });
    if (PRIMARY_ROLES.has(r.role) && !PRIMARY_ROLES.has(before))
      ev('promoted', 'major', true, `${shape.name}: ${name} promoted to ${r.role}`, { from: before, to: r.role, last_replica_view: m.lastReplicaView, epoch: r.epoch });
    if (PRIMARY_ROLES.has(before) && !PRIMARY_ROLES.has(r.role))
      ev('demoted', 'major', true, `${shape.name}: ${name} is no longer ${before} (now ${r.role})`, { from: before, to: r.role });
  }
  if (r.role) m.roleBeforeDown = undefined;
  if (r.epoch && m.epoch && r.epoch !== m.epoch && !rejoining) ev('epoch_changed', 'major', true, `${shape.name}: ${name} moved from ${m.epoch} to ${r.epoch}`, { from: m.epoch, to: r.epoch });
  if (r.leader !== undefined && m.leader !== undefined && r.leader !== m.leader && !REPLICA_ROLES.has(r.role) && !PRIMARY_ROLES.has(r.role)) {
    // Single-observer systems (Sentinel, VIP, Elasticsearch, Kafka controller) name the leader directly.
    const kind: EventKind = shape.kind === 'keepalived' || shape.kind === 'vip' ? 'vip_moved' : 'leader_changed';
    ev(kind, 'major', true, `${shape.name}: ${kind === 'vip_moved' ? 'VIP moved' : 'leader changed'} ${m.leader} → ${r.leader}`, { from: m.leader, to: r.leader, observed_by: name });
  }
  if (r.role) m.role = r.role;
  if (r.epoch) m.epoch = r.epoch;
  if (r.leader !== undefined) m.leader = r.leader;
}

function positionOf(r: Observation): string | undefined {
  const d = r.details ?? {};
  const p = d.receive_lsn ?? d.current_lsn ?? d.repl_offset;
  return p === undefined || p === null ? undefined : String(p);
}

/** A primary that lists its replicas with their lag tells us what the replicas cannot. */
function notePeerLag(next: SystemTopology, shape: SystemShape, r: Observation, at: number): void {
  if (!PRIMARY_ROLES.has(r.role) || !r.peers?.length || !shape.addresses) return;
  for (const [member, addr] of Object.entries(shape.addresses)) {
    const peer = r.peers.find((p) => p.id === addr);
    const m = next.members[member];
    if (peer && m) m.peerLag = { lagSeconds: peer.lagSeconds, lagBytes: peer.lagBytes, at };
  }
}

function observeReplication(m: MemberTopology, shape: SystemShape, name: string, r: Observation, ev: Emit): void {
  const fromPrimary = m.peerLag && m.lastSeenAt - m.peerLag.at <= 3 * m.intervalMs ? m.peerLag : undefined;
  r = { ...r, lagSeconds: r.lagSeconds ?? fromPrimary?.lagSeconds, lagBytes: r.lagBytes ?? fromPrimary?.lagBytes };
  m.lagSeconds = r.lagSeconds;
  m.lagBytes = r.lagBytes;
  m.position = positionOf(r) ?? m.position;
  if (!REPLICA_ROLES.has(r.role)) {
    if (m.broken) ev('replication_restored', 'info', false, `${shape.name}: ${name} no longer replicates (now ${r.role ?? 'no role'})`, {});
    if (m.lagging) ev('replication_caught_up', 'info', false, `${shape.name}: ${name} no longer replicates (now ${r.role ?? 'no role'})`, {});
    m.broken = undefined;
    m.lagging = false;
    return;
  }
  // A replica that answers but warns is one whose replication is not flowing.
  const broken = r.warning;
  // RPO wants what the replica had while its primary still fed it: once the stream stops (the
  // primary died), its replay age only grows with the outage and says nothing about lost writes.
  if (!broken || !m.lastReplicaView) m.lastReplicaView = { at: m.lastSeenAt, lagSeconds: r.lagSeconds, lagBytes: r.lagBytes, position: m.position };
  if (broken && !m.broken) ev('replication_broken', 'major', true, `${shape.name}: replication to ${name} broken: ${broken}`, { reason: broken, leader: r.leader });
  if (!broken && m.broken) ev('replication_restored', 'info', false, `${shape.name}: replication to ${name} flowing again`, {});
  m.broken = broken;
  const { maxLagMs, maxLagBytes } = shape.expect;
  const lagging =
    (maxLagMs !== undefined && r.lagSeconds !== undefined && r.lagSeconds * 1000 > maxLagMs) ||
    (maxLagBytes !== undefined && r.lagBytes !== undefined && r.lagBytes > maxLagBytes);
  if (lagging && !m.lagging)
    ev('replication_lagging', 'warning', true, `${shape.name}: ${name} lags ${r.lagSeconds !== undefined ? `${r.lagSeconds.toFixed(1)}s` : ''}${r.lagBytes !== undefined ? ` ${r.lagBytes} bytes` : ''} behind`, {
      lag_seconds: r.lagSeconds,
      lag_bytes: r.lagBytes,
      max_lag_ms: maxLagMs,
      max_lag_bytes: maxLagBytes,
    });
  if (!lagging && m.lagging) ev('replication_caught_up', 'info', false, `${shape.name}: ${name} caught up`, { lag_seconds: r.lagSeconds, lag_bytes: r.lagBytes });
  m.lagging = lagging;
}

function observePool(m: MemberTopology, shape: SystemShape, name: string, r: Observation, ev: Emit): void {
  const pool: Record<string, string> = {};
  for (const p of r.peers ?? []) if (p.state) pool[p.id] = p.state;
  const before = m.pool ?? {};
  for (const [id, state] of Object.entries(pool)) {
    const was = before[id];
    if (was === undefined) continue;
    const up = serving(state);
    const wasUp = serving(was);
    if (wasUp && !up) ev('backend_removed', 'warning', true, `${shape.name}: ${id} left the pool (${state})`, { backend: id, state, observed_by: name });
    if (!wasUp && up) ev('backend_returned', 'info', false, `${shape.name}: ${id} back in the pool`, { backend: id, state, observed_by: name });
  }
  m.pool = pool;
}

function recomputeSystem(next: SystemTopology, shape: SystemShape, at: number, ev: Emit): void {
  const upMembers = Object.entries(next.members).filter(([, m]) => m.status === 'up');
  const primaries = upMembers.filter(([, m]) => PRIMARY_ROLES.has(m.role)).map(([n]) => n).sort();
  const before = next.primaries;
  next.primaries = primaries;
  const roleAware = Object.values(next.members).some((m) => m.role !== undefined);
  if (!roleAware) return;
  // Judge the system as a whole only once every member has been seen: at start-up the first
  // member observed would otherwise look like a system without replicas.
  if (shape.members.some((n) => !next.members[n] || next.members[n].status === 'unknown')) return;
  const expected = shape.expect.primaries ?? (Object.values(next.members).some((m) => PRIMARY_ROLES.has(m.role) || PRIMARY_ROLES.has(m.roleBeforeDown)) ? 1 : 0);

  // A new primary/leader: the system-level "failover happened" signal.
  if (primaries.length === 1 && before.length >= 1 && !before.includes(primaries[0])) {
    const m = next.members[primaries[0]];
    ev('leader_changed', 'major', true, `${shape.name}: ${primaries[0]} is the new ${m.role} (was ${before.join(', ')})`, {
      from: before.join(','),
      to: primaries[0],
      last_replica_view: m.lastReplicaView,
    }, primaries[0]);
  } else if (primaries.length === 1 && (before.length === 0 || before.length > 1) && next.leader && next.leader !== primaries[0]) {
    // After no primary, or after a split brain that the old leader lost: still a new leader.
    const m = next.members[primaries[0]];
    ev('leader_changed', 'major', true, `${shape.name}: ${primaries[0]} is the new ${m.role} (was ${next.leader})`, { from: next.leader, to: primaries[0], last_replica_view: m.lastReplicaView }, primaries[0]);
  }
  if (primaries.length === 1) next.leader = primaries[0];

  const split = expected > 0 && primaries.length > expected;
  if (split && !next.conditions.splitBrain)
    ev('split_brain', 'critical', true, `${shape.name}: SPLIT BRAIN — ${primaries.length} members act as primary (${primaries.join(', ')}), expected ${expected}`, { primaries, expected }, undefined);
  if (!split && next.conditions.splitBrain) ev('split_brain_resolved', 'info', false, `${shape.name}: one primary again (${primaries.join(', ') || 'none'})`, { primaries }, undefined);
  next.conditions.splitBrain = split;

  const none = expected > 0 && primaries.length === 0 && Object.keys(next.members).length > 0;
  if (none && !next.conditions.noPrimary) {
    const lost = before.length ? before : next.leader ? [next.leader] : [];
    ev('no_primary', 'critical', true, `${shape.name}: no primary${lost.length ? ` (lost ${lost.join(', ')})` : ''}`, { lost }, undefined);
  }
  if (!none && next.conditions.noPrimary) ev('primary_restored', 'info', false, `${shape.name}: ${primaries.join(', ')} serving as primary`, { primaries }, undefined);
  next.conditions.noPrimary = none;

  if (shape.expect.minReplicas !== undefined) {
    const healthyReplicas = upMembers.filter(([, m]) => REPLICA_ROLES.has(m.role) && !m.broken).length;
    const degraded = healthyReplicas < shape.expect.minReplicas;
    if (degraded && !next.conditions.degraded)
      ev('topology_degraded', 'warning', true, `${shape.name}: ${healthyReplicas} healthy replica${healthyReplicas === 1 ? '' : 's'}, expected at least ${shape.expect.minReplicas}`, { healthy_replicas: healthyReplicas, min_replicas: shape.expect.minReplicas }, undefined);
    if (!degraded && next.conditions.degraded) ev('topology_restored', 'info', false, `${shape.name}: ${healthyReplicas} healthy replicas again`, { healthy_replicas: healthyReplicas }, undefined);
    next.conditions.degraded = degraded;
  }
  void at;
}
