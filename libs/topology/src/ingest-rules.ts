import { DomainError } from '../../common/src/errors';
import type { NinesConfig } from '../../config/src/config';
import type { Severity, TopologyEvent } from './events';
import { probeAddress } from './system-shapes';
import { isHealthy, type SystemShape, type SystemTopology } from './topology';

/**
 * Events pushed to Nines (keepalived notify, Alertmanager webhooks, anything else) folded into a
 * system's topology, as `observe` folds a probe's observation: pure, the time passed in.
 */
export interface Folded {
  next: SystemTopology;
  events: TopologyEvent[];
}

/** Severity words of the senders, mapped to Nines' four. */
// No prototype: a pushed severity of "constructor" or "__proto__" is unknown, not Object's own.
export const SEVERITIES: Readonly<Record<string, Severity>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, Severity>, { critical: 'critical', page: 'critical', error: 'major', major: 'major', warning: 'warning', ticket: 'warning', info: 'info', none: 'info' }),
);

export type KeepalivedState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export interface KeepalivedNotify {
  system: string;
  /** The member that sent it. */
  node: string;
  instance: string;
  state: KeepalivedState;
  priority?: number;
  at: number;
}

/** A MASTER on another node than the leader is a VIP move; FAULT is an external problem until that node reports again. */
export function foldKeepalivedNotify(prev: SystemTopology, n: KeepalivedNotify): Folded {
  const next = pushedInto(prev, n.at);
  const { system, node, instance, state, at } = n;
  const events: TopologyEvent[] = [];
  const base = { system, member: node, at, details: { instance, state, priority: n.priority, node, source_kind: 'keepalived' } };
  const faultKey = `keepalived:${node}:${instance}`;
  if (state === 'MASTER' && next.leader !== undefined && next.leader !== node) {
    events.push({ ...base, kind: 'vip_moved', severity: 'major', bad: true, message: `${system}: VIP ${instance} moved ${next.leader} → ${node} (keepalived MASTER)`, details: { ...base.details, from: next.leader, to: node } });
  } else {
    const bad = state === 'FAULT' || (state !== 'MASTER' && next.leader === node);
    events.push({ ...base, kind: 'external', severity: state === 'FAULT' ? 'major' : 'info', bad, message: `${system}: keepalived on ${node} is ${state} for ${instance}` });
  }
  if (state === 'MASTER') next.leader = node;
  next.external ??= {};
  if (state === 'FAULT') next.external[faultKey] = `keepalived on ${node} in FAULT for ${instance}`;
  else delete next.external[faultKey];
  return { next, events };
}

const SENDER_KINDS = ['keepalived', 'vip'];

/**
 * Which member sent a keepalived notify: the one named, if a keepalived or vip system has it;
 * else (no name, or a host name that is not a member's, as `$(hostname)` often is) the member
 * probed at the sender's address.
 */
export function keepalivedSender(c: Pick<NinesConfig, 'systems' | 'targets'>, named: string | undefined, explicit: string | undefined, source: string | undefined): { system: string; member: string } {
  if (!named) return memberAt(c, source, explicit);
  try {
    return { system: systemFor(c, explicit, named), member: named };
  } catch (err) {
    try {
      return memberAt(c, source, explicit);
    } catch {
      throw err;
    }
  }
}

/** The one member of a keepalived or vip system (or of the named one) probed at `source`. */
function memberAt(c: Pick<NinesConfig, 'systems' | 'targets'>, source: string | undefined, explicit: string | undefined): { system: string; member: string } {
  const host = source?.replace(/^::ffff:/, '');
  const probes = new Map(c.targets.map((t) => [t.key, t.probe as Record<string, unknown>]));
  const hostOf = (key: string) => probeAddress(probes.get(key) ?? {})?.replace(/:\d*$/, '');
  const found = host
    ? c.systems
        .filter((s) => (explicit ? s.name === explicit : SENDER_KINDS.includes(s.kind)))
        .flatMap((s) => s.members.filter((m) => hostOf(m.key) === host).map((m) => ({ system: s.name, member: m.name })))
    : [];
  if (found.length === 1) return found[0];
  const why = found.length ? `${found.length} members are probed at ${host}` : `no member of a ${explicit ? `system named ${JSON.stringify(explicit)}` : `${SENDER_KINDS.join(' or ')} system`} is probed at ${host ?? 'the sender\'s address'}`;
  throw new DomainError('bad_request', `node is required (the keepalived host reporting): ${why}`, { field: 'node' });
}

function systemFor(c: Pick<NinesConfig, 'systems'>, explicit: string | undefined, node: string): string {
  if (explicit) {
    if (!c.systems.some((s) => s.name === explicit)) throw new DomainError('not_found', `no system named ${JSON.stringify(explicit)}`);
    return explicit;
  }
  const match = c.systems.filter((s) => SENDER_KINDS.includes(s.kind) && s.members.some((m) => m.name === node));
  if (match.length !== 1) throw new DomainError('bad_request', `cannot tell which system node ${JSON.stringify(node)} belongs to; pass "system"`, { field: 'system' });
  return match[0].name;
}

/** One alert of an Alertmanager webhook (version 4), as sent. */
export interface AlertmanagerAlert {
  status?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
}

/** The system an alert is about (its `system`, `service` or `job` label), and when it fired or resolved: `now` when it does not say. */
export function alertmanagerSubject(a: AlertmanagerAlert, now: number): { system: string; at: number } {
  const firing = a.status !== 'resolved';
  return { system: systemOf(a.labels ?? {}), at: Date.parse((firing ? a.startsAt : a.endsAt) ?? '') || now };
}

const systemOf = (labels: Record<string, string>) => labels.system ?? labels.service ?? labels.job ?? 'external';

/**
 * A firing alert is an external problem of its system until it resolves. Alertmanager repeats a
 * firing alert (repeat_interval, each replica of an HA pair, a changed group): what is already
 * known adds nothing to the timeline, and neither does a second resolved.
 */
export function foldAlertmanagerAlert(prev: SystemTopology, a: AlertmanagerAlert, at: number): Folded {
  const next = pushedInto(prev, at);
  const labels = a.labels ?? {};
  const system = systemOf(labels);
  const firing = a.status !== 'resolved';
  const name = labels.alertname ?? 'alert';
  const summary = a.annotations?.summary ?? a.annotations?.description ?? name;
  const problem = `${name}: ${summary}`;
  const key = `alertmanager:${a.fingerprint ?? JSON.stringify(labels)}`;
  next.external ??= {};
  next.externalLabels ??= {};
  if (firing ? next.external[key] === problem : !(key in next.external)) return { next, events: [] };
  if (firing) {
    next.external[key] = problem;
    next.externalLabels[key] = { ...labels, alertname: name };
  } else {
    delete next.external[key];
    delete next.externalLabels[key];
  }
  const event: TopologyEvent = {
    kind: 'external',
    system,
    member: labels.member ?? labels.instance,
    at,
    severity: firing ? (SEVERITIES[labels.severity ?? ''] ?? 'warning') : 'info',
    bad: firing,
    message: `${system}: ${firing ? '' : 'resolved: '}${problem}`,
    details: { source_kind: 'alertmanager', alertname: name, labels, fingerprint: a.fingerprint, status: a.status },
  };
  return { next, events: [event] };
}

/** Anything else someone reports about a system: one event, the topology unchanged. */
export function foldGenericEvent(prev: SystemTopology, e: { system: string; member?: string; message: string; severity: Severity; bad: boolean; at: number }): Folded {
  return { next: pushedInto(prev, e.at), events: [{ kind: 'external', system: e.system, member: e.member, at: e.at, severity: e.severity, bad: e.bad, message: `${e.system}: ${e.message}`, details: { source_kind: 'generic' } }] };
}

/** Health after an ingested event: systems Nines does not probe (named only by an external alert) are healthy when nothing external fires. */
export function healthAfterIngest(t: SystemTopology, shape: SystemShape | undefined): boolean {
  return shape ? isHealthy(t, shape) : !Object.keys(t.external ?? {}).length;
}

/** A copy as of a pushed event: never earlier than what was already folded. */
function pushedInto(prev: SystemTopology, at: number): SystemTopology {
  const next = structuredClone(prev);
  next.updatedAt = Math.max(prev.updatedAt, at);
  return next;
}
