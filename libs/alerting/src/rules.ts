import { formatDuration } from '../../common/src/duration';
import type { ProbeTarget } from '../../probes/src/target';
import type { TargetState } from '../../probes/src/target-state';
import { serving, type SystemShape, type SystemTopology } from '../../topology/src/topology';
import type { AlertSpec, Labels } from './alert';
import type { LocationReport } from '../../probes/src/location-report';

/**
 * Built-in alerts, derived from what the previous stages know. Each returns the alerts whose
 * condition holds now in its scope; alerts of the scope that are not returned resolve.
 */
const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function base(alertname: string, severity: string, extra: Labels): Labels {
  const l: Labels = { alertname, severity };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') l[k] = v;
  return l;
}

/** Scope "target:<key>": a standalone target down, or its certificate expiring. */
export function targetAlerts(t: ProbeTarget, s: TargetState, now: number): AlertSpec[] {
  const out: AlertSpec[] = [];
  const r = s.lastResult;
  const common = { ...t.labels, target: t.key, layer: t.layer ?? '', kind: t.probe.kind };
  if (!t.system && s.status === 'down') {
    const since = s.firstFailureAt ?? s.since;
    out.push({
      labels: base('TargetDown', 'critical', common),
      annotations: { summary: `${t.key} down for ${formatDuration(Math.max(0, now - since))} (${r?.reason ?? 'probe failed'})`, reason: r?.reason },
      forMs: 0,
    });
  }
  if (r?.warning && /TLS certificate (expired|expires)/.test(r.warning)) {
    const expired = /expired/.test(r.warning);
    out.push({
      labels: base('CertificateExpiring', expired ? 'critical' : 'warning', { ...common, system: t.system ?? '', member: t.member ?? '' }),
      annotations: { summary: `${t.key}: ${r.warning}`, reason: r.warning },
      forMs: 0,
    });
  }
  return out;
}

export interface SystemAlertContext {
  shape: SystemShape & { layer: string; labels?: Labels };
  topology: SystemTopology;
  /** Open incident of this system, if any (alerts link to it). */
  incidentId?: number;
  lastFailover?: { at: number; from?: string; to?: string };
  now: number;
  failoverHoldMs?: number;
}

/** Scope "system:<name>": everything the topology says about a system and its members. */
export function systemAlerts(c: SystemAlertContext): AlertSpec[] {
  const { shape, topology: t, now } = c;
  const out: AlertSpec[] = [];
  const sys = { ...(shape.labels ?? {}), system: shape.name, layer: shape.layer };
  const add = (alertname: string, severity: string, extra: Labels, summary: string, reason?: string, forMs = 0) =>
    out.push({ labels: base(alertname, severity, { ...sys, ...extra }), annotations: { summary, reason }, forMs, incidentId: c.incidentId });
  const failoverNote = c.lastFailover && c.lastFailover.to ? `; ${c.lastFailover.to} promoted at ${hhmmss(c.lastFailover.at)}` : '';

  // Users cannot reach it: endpoint down, or (without one) no primary left.
  if (t.endpoint && t.endpoint.status === 'down') {
    const since = t.endpoint.firstFailureAt ?? t.endpoint.since;
    add('SystemDown', 'page', {}, `${shape.name}: unreachable for users for ${formatDuration(Math.max(0, now - since))} (${t.endpoint.reason ?? 'probe failed'})${failoverNote}`, t.endpoint.reason);
  } else if (!shape.hasEndpoint && t.conditions.noPrimary) {
    const lost = Object.entries(t.members).find(([, m]) => m.status === 'down' && (m.roleBeforeDown === 'primary' || m.roleBeforeDown === 'leader'));
    add('SystemDown', 'page', {}, `${shape.name}: no primary${lost ? `; ${lost[0]} unreachable for ${formatDuration(now - (lost[1].firstFailureAt ?? now))}` : ''}`);
  }
  for (const name of shape.members) {
    const m = t.members[name];
    if (!m) continue;
    if (m.status === 'down') {
      const wasPrimary = m.roleBeforeDown === 'primary' || m.roleBeforeDown === 'leader';
      const since = m.firstFailureAt ?? m.lastSeenAt;
      add('MemberDown', wasPrimary ? 'critical' : 'warning', { member: name }, `${shape.name}: ${wasPrimary ? `${m.roleBeforeDown} ` : ''}${name} unreachable for ${formatDuration(Math.max(0, now - since))}${failoverNote}`);
    }
    if (m.status === 'up' && m.broken) add('ReplicationBroken', 'critical', { member: name }, `${shape.name}: replication to ${name} broken: ${m.broken}`, m.broken);
    if (m.status === 'up' && m.lagging)
      add('ReplicationLagging', 'warning', { member: name }, `${shape.name}: ${name} is ${m.lagSeconds !== undefined ? `${m.lagSeconds.toFixed(1)}s` : `${m.lagBytes} bytes`} behind`, undefined);
    if (m.pool) {
      for (const [id, state] of Object.entries(m.pool)) if (!serving(state)) add('BackendOutOfPool', 'warning', { member: name, backend: id }, `${shape.name}: ${id} out of the pool (${state})`, state);
    }
  }
  if (t.conditions.splitBrain) add('SplitBrain', 'page', {}, `${shape.name}: SPLIT BRAIN — ${t.primaries.join(', ')} all act as primary`);
  if (t.conditions.degraded) add('TopologyDegraded', 'warning', {}, `${shape.name}: fewer healthy replicas than ${shape.expect.minReplicas}`);
  if (c.lastFailover && now - c.lastFailover.at < (c.failoverHoldMs ?? 10 * 60_000)) {
    add('FailoverHappened', 'critical', {}, `${shape.name}: failover ${c.lastFailover.from ?? '?'} → ${c.lastFailover.to ?? '?'} at ${hhmmss(c.lastFailover.at)}`);
  }
  for (const [key, message] of Object.entries(t.external ?? {})) {
    const source = key.split(':')[0];
    const { alertname, severity, system: _s, layer: _l, ...own } = t.externalLabels?.[key] ?? {};
    if (alertname) add(alertname, severity ?? 'warning', { ...own, source }, `${shape.name}: ${message}`);
    else add('ExternalProblem', 'warning', { source }, `${shape.name}: ${message}`);
  }
  return out;
}

/**
 * Scope "locations": what the locations see together (issue 17). A location cut off from the
 * targets the others reach is one critical alert, not a page per target; a target some locations
 * see down without a quorum is a warning naming where; two locations seeing two holders is a
 * split brain even when each sees a healthy system; a location whose probers stopped is a warning
 * (its votes are dropped, not counted).
 */
export function locationAlerts(report: LocationReport, now: number, partitionIncidents: ReadonlyMap<string, number> = new Map()): AlertSpec[] {
  const out: AlertSpec[] = [];
  const add = (alertname: string, severity: string, extra: Labels, summary: string, reason?: string, incidentId?: number) =>
    out.push({ labels: base(alertname, severity, extra), annotations: { summary, ...(reason ? { reason } : {}) }, forMs: 0, ...(incidentId !== undefined ? { incidentId } : {}) });
  for (const l of report.locations) {
    // Linked to its network incident, so the page's ack link acknowledges the whole cut.
    if (l.partition) add('LocationPartitioned', 'critical', { location: l.name }, l.partition.message, undefined, partitionIncidents.get(l.name));
    if (!l.up) add('LocationDown', 'warning', { location: l.name }, `${l.name}: no prober has reported for ${formatDuration(Math.max(0, now - Date.parse(l.last_seen)))}; its votes are dropped, not counted`);
  }
  for (const d of report.degraded) add('TargetDownFromLocation', 'warning', { target: d.target, location: d.location }, d.message, d.reason);
  for (const s of report.split_brain) add('SplitBrainSeenFromOutside', 'page', { system: s.system }, s.message);
  return out;
}
