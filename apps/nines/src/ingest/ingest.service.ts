import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { intervalOf } from '../../../../libs/config/src/config';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import type { Severity, TopologyEvent } from '../../../../libs/topology/src/events';
import { emptyTopology, isHealthy, type SystemTopology } from '../../../../libs/topology/src/topology';
import { probeAddress } from '../topology/topology.service';
import { AlertService } from '../alerting/alert.service';
import { announceTopologyChange } from '../topology/topology-announcements';
import { CLOCK, CONFIG, DATA_SOURCE, LOGGER, REDIS } from '../runtime/tokens';

type Body = Record<string, unknown>;

const str = (b: Body, field: string, required = false, max = 500): string | undefined => {
  const v = b[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw new DomainError('bad_request', `${field} is required`, { field });
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new DomainError('bad_request', `${field} must be a string`, { field });
  const s = String(v);
  if (s.length > max) throw new DomainError('bad_request', `${field} must be at most ${max} characters`, { field });
  return s;
};

const SEVERITIES: Record<string, Severity> = { critical: 'critical', page: 'critical', error: 'major', major: 'major', warning: 'warning', ticket: 'warning', info: 'info', none: 'info' };

/**
 * Events pushed to Nines — keepalived notify, Alertmanager webhooks, anything else — land in
 * the same topology and incident pipeline as polled observations, within the request.
 */
@Injectable()
export class IngestService {
  private readonly repo: IncidentRepository;

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly alerts: AlertService,
  ) {
    this.repo = new IncidentRepository(ds);
  }

  /**
   * keepalived notify: `{ type, name, state, priority, node?, system? }` — keepalived's own four
   * arguments, plus the reporting host. Without `node`, the host is the member of a keepalived or
   * vip system probed at the address the request came from. A MASTER elsewhere is a VIP move.
   */
  async keepalived(body: unknown, source?: string) {
    const b = this.object(body);
    const state = str(b, 'state', true)!.toUpperCase();
    if (!['MASTER', 'BACKUP', 'FAULT', 'STOP'].includes(state)) throw new DomainError('bad_request', 'state must be MASTER, BACKUP, FAULT or STOP', { field: 'state' });
    const { system, member: node } = this.keepalivedSender(str(b, 'node') ?? str(b, 'member'), str(b, 'system'), source);
    const instance = str(b, 'name') ?? str(b, 'instance') ?? str(b, 'group') ?? 'vrrp';
    const priority = b.priority === undefined ? undefined : Number(b.priority);
    const at = this.clock.now();
    return this.commit(system, at, (topo) => {
      const events: TopologyEvent[] = [];
      const base = { system, member: node, at, details: { instance, state, priority, node, source_kind: 'keepalived' } };
      const faultKey = `keepalived:${node}:${instance}`;
      if (state === 'MASTER' && topo.leader !== undefined && topo.leader !== node) {
        events.push({ ...base, kind: 'vip_moved', severity: 'major', bad: true, message: `${system}: VIP ${instance} moved ${topo.leader} → ${node} (keepalived MASTER)`, details: { ...base.details, from: topo.leader, to: node } });
      } else {
        const bad = state === 'FAULT' || (state !== 'MASTER' && topo.leader === node);
        events.push({ ...base, kind: 'external', severity: state === 'FAULT' ? 'major' : 'info', bad, message: `${system}: keepalived on ${node} is ${state} for ${instance}` });
      }
      if (state === 'MASTER') topo.leader = node;
      topo.external ??= {};
      if (state === 'FAULT') topo.external[faultKey] = `keepalived on ${node} in FAULT for ${instance}`;
      else delete topo.external[faultKey];
      return events;
    });
  }

  /** Alertmanager webhook v4: each alert becomes an event of the system named by its labels. */
  async alertmanager(body: unknown) {
    const b = this.object(body);
    if (String(b.version ?? '4') !== '4') throw new DomainError('bad_request', 'only Alertmanager webhook version 4 is supported', { field: 'version' });
    if (!Array.isArray(b.alerts)) throw new DomainError('bad_request', 'alerts must be a list', { field: 'alerts' });
    let accepted = 0;
    for (const [i, raw] of b.alerts.entries()) {
      if (!raw || typeof raw !== 'object') throw new DomainError('bad_request', `alerts[${i}] must be an object`, { field: `alerts[${i}]` });
      const a = raw as { status?: string; labels?: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string; fingerprint?: string };
      const labels = a.labels ?? {};
      const system = labels.system ?? labels.service ?? labels.job ?? 'external';
      const firing = a.status !== 'resolved';
      const at = Date.parse((firing ? a.startsAt : a.endsAt) ?? '') || this.clock.now();
      const name = labels.alertname ?? 'alert';
      const summary = a.annotations?.summary ?? a.annotations?.description ?? name;
      const problem = `${name}: ${summary}`;
      await this.commit(system, at, (topo) => {
        const key = `alertmanager:${a.fingerprint ?? JSON.stringify(labels)}`;
        topo.external ??= {};
        topo.externalLabels ??= {};
        // Alertmanager repeats a firing alert (repeat_interval, each replica of an HA pair, a changed
        // group): what is already known adds nothing to the timeline, and neither does a second resolved.
        if (firing ? topo.external[key] === problem : !(key in topo.external)) return [];
        if (firing) {
          topo.external[key] = problem;
          topo.externalLabels[key] = { ...labels, alertname: name };
        } else {
          delete topo.external[key];
          delete topo.externalLabels[key];
        }
        return [
        {
          kind: 'external',
          system,
          member: labels.member ?? labels.instance,
          at,
          severity: firing ? (SEVERITIES[labels.severity ?? ''] ?? 'warning') : 'info',
          bad: firing,
          message: `${system}: ${firing ? '' : 'resolved: '}${problem}`,
          details: { source_kind: 'alertmanager', alertname: name, labels, fingerprint: a.fingerprint, status: a.status },
        },
        ];
      });
      accepted++;
    }
    return { accepted };
  }

  /** Anything else: `{ system, member?, message, severity?, bad?, at? }`. */
  async generic(body: unknown) {
    const b = this.object(body);
    const system = str(b, 'system', true, 100)!;
    const message = str(b, 'message', true, 2000)!;
    const severity = SEVERITIES[str(b, 'severity') ?? 'warning'];
    if (!severity) throw new DomainError('bad_request', `severity must be one of ${Object.keys(SEVERITIES).join(', ')}`, { field: 'severity' });
    const at = b.at === undefined ? this.clock.now() : Date.parse(String(b.at));
    if (Number.isNaN(at)) throw new DomainError('bad_request', 'at must be an RFC 3339 time', { field: 'at' });
    const bad = b.bad === undefined ? severity !== 'info' : b.bad === true;
    return this.commit(system, at, () => [{ kind: 'external', system, member: str(b, 'member'), at, severity, bad, message: `${system}: ${message}`, details: { source_kind: 'generic' } }]);
  }

  private object(body: unknown): Body {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('bad_request', 'body must be a JSON object');
    return body as Body;
  }

  /**
   * Which member sent a keepalived notify: the one named, if a keepalived or vip system has it;
   * else (no name, or a host name that is not a member's, as `$(hostname)` often is) the member
   * probed at the sender's address.
   */
  private keepalivedSender(named: string | undefined, explicit: string | undefined, source: string | undefined): { system: string; member: string } {
    const kinds = ['keepalived', 'vip'];
    if (!named) return this.memberAt(source, explicit, kinds);
    try {
      return { system: this.systemFor(explicit, named, kinds), member: named };
    } catch (err) {
      try {
        return this.memberAt(source, explicit, kinds);
      } catch {
        throw err;
      }
    }
  }

  /** The one member of a system of these kinds (or the named one) probed at `source`. */
  private memberAt(source: string | undefined, explicit: string | undefined, kinds: string[]): { system: string; member: string } {
    const host = source?.replace(/^::ffff:/, '');
    const c = this.config.get();
    const probes = new Map(c.targets.map((t) => [t.key, t.probe as Record<string, unknown>]));
    const hostOf = (key: string) => probeAddress(probes.get(key) ?? {})?.replace(/:\d*$/, '');
    const found = host
      ? c.systems
          .filter((s) => (explicit ? s.name === explicit : kinds.includes(s.kind)))
          .flatMap((s) => s.members.filter((m) => hostOf(m.key) === host).map((m) => ({ system: s.name, member: m.name })))
      : [];
    if (found.length === 1) return found[0];
    const why = found.length ? `${found.length} members are probed at ${host}` : `no member of a ${explicit ? `system named ${JSON.stringify(explicit)}` : `${kinds.join(' or ')} system`} is probed at ${host ?? 'the sender\'s address'}`;
    throw new DomainError('bad_request', `node is required (the keepalived host reporting): ${why}`, { field: 'node' });
  }

  private systemFor(explicit: string | undefined, node: string, kinds: string[]): string {
    const systems = this.config.get().systems;
    if (explicit) {
      if (!systems.some((s) => s.name === explicit)) throw new DomainError('not_found', `no system named ${JSON.stringify(explicit)}`);
      return explicit;
    }
    const match = systems.filter((s) => kinds.includes(s.kind) && s.members.some((m) => m.name === node));
    if (match.length !== 1) throw new DomainError('bad_request', `cannot tell which system node ${JSON.stringify(node)} belongs to; pass "system"`, { field: 'system' });
    return match[0].name;
  }

  /** Commits events against the stored topology (compare-and-set, retried on a concurrent change). */
  private async commit(system: string, at: number, make: (topo: SystemTopology) => TopologyEvent[]) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await this.repo.loadTopology(system);
      const topo: SystemTopology = stored.topology ?? emptyTopology(system, at);
      const events = make(topo);
      topo.updatedAt = Math.max(topo.updatedAt, at);
      const c = this.config.get();
      const def = c.systems.find((s) => s.name === system);
      // Systems Nines does not probe (named only by an external alert) are healthy when nothing external fires.
      const healthy = def
        ? isHealthy(topo, { name: system, kind: def.kind, expect: def.expect, members: def.members.map((m) => m.name), hasEndpoint: !!def.endpointKey })
        : !Object.keys(topo.external ?? {}).length;
      const r = await this.repo.commit({
        system,
        expectedVersion: stored.version,
        topology: topo,
        healthy,
        wasHealthy: stored.healthy,
        events,
        graph: { dependsOn: new Map(c.systems.map((s) => [s.name, s.dependsOn])), layer: new Map(c.systems.map((s) => [s.name, s.layer])) },
        hasEndpoint: (s) => c.systems.some((x) => x.name === s && x.endpointKey),
        intervalMs: (s, m) => intervalOf(c, s, m),
      });
      if (r.ok) {
        for (const e of events) this.logger.info({ system, event: e.kind, incidents: r.incidents }, e.message);
        if (def) await announceTopologyChange(this.redis, system, this.logger);
        // No prober watches a system that is not in the config: its (Alertmanager) alerts are evaluated here.
        else this.alerts.onSystem({ shape: { name: system, kind: 'external', expect: {}, members: [], hasEndpoint: false, layer: 'external' }, topology: topo, incidentId: r.incidents.at(-1) });
        return { accepted: events.length, incidents: r.incidents };
      }
    }
    throw new DomainError('conflict', `the topology of ${system} kept changing; retry`);
  }
}
