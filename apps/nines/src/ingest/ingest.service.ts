import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { announceTopologyChange } from '../../../../libs/topology/src/announcements';
import { commitTopology, type TopologyStore } from '../../../../libs/topology/src/commit';
import {
  alertmanagerSubject,
  foldAlertmanagerAlert,
  foldGenericEvent,
  foldKeepalivedNotify,
  healthAfterIngest,
  keepalivedSender,
  SEVERITIES,
  type AlertmanagerAlert,
  type Folded,
  type KeepalivedState,
} from '../../../../libs/topology/src/ingest-rules';
import type { TopologyListener } from '../../../../libs/topology/src/listener';
import { systemShapes } from '../../../../libs/topology/src/system-shapes';
import type { SystemTopology } from '../../../../libs/topology/src/topology';
import { CLOCK, CONFIG, LOGGER, REDIS, TOPOLOGY_LISTENER, TOPOLOGY_STORE } from '../runtime/tokens';

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

/**
 * Events pushed to Nines — keepalived notify, Alertmanager webhooks, anything else — land in
 * the same topology and incident pipeline as polled observations, within the request: the body
 * is validated here, folded by the rules of libs/topology/src/ingest-rules.ts, and committed.
 */
@Injectable()
export class IngestService {
  constructor(
    @Inject(TOPOLOGY_STORE) private readonly store: TopologyStore,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TOPOLOGY_LISTENER) private readonly listener: TopologyListener,
  ) {}

  /**
   * keepalived notify: `{ type, name, state, priority, node?, system? }` — keepalived's own four
   * arguments, plus the reporting host. Without `node`, the host is the member of a keepalived or
   * vip system probed at the address the request came from. A MASTER elsewhere is a VIP move.
   */
  async keepalived(body: unknown, source?: string) {
    const b = this.object(body);
    const state = str(b, 'state', true)!.toUpperCase();
    if (!['MASTER', 'BACKUP', 'FAULT', 'STOP'].includes(state)) throw new DomainError('bad_request', 'state must be MASTER, BACKUP, FAULT or STOP', { field: 'state' });
    const { system, member: node } = keepalivedSender(this.config.get(), str(b, 'node') ?? str(b, 'member'), str(b, 'system'), source);
    const instance = str(b, 'name') ?? str(b, 'instance') ?? str(b, 'group') ?? 'vrrp';
    const priority = b.priority === undefined ? undefined : Number(b.priority);
    const at = this.clock.now();
    return this.commit(system, at, (topo) => foldKeepalivedNotify(topo, { system, node, instance, state: state as KeepalivedState, priority, at }));
  }

  /** Alertmanager webhook v4: each alert becomes an event of the system named by its labels. */
  async alertmanager(body: unknown) {
    const b = this.object(body);
    if (String(b.version ?? '4') !== '4') throw new DomainError('bad_request', 'only Alertmanager webhook version 4 is supported', { field: 'version' });
    if (!Array.isArray(b.alerts)) throw new DomainError('bad_request', 'alerts must be a list', { field: 'alerts' });
    let accepted = 0;
    for (const [i, raw] of b.alerts.entries()) {
      if (!raw || typeof raw !== 'object') throw new DomainError('bad_request', `alerts[${i}] must be an object`, { field: `alerts[${i}]` });
      const a = raw as AlertmanagerAlert;
      const { system, at } = alertmanagerSubject(a, this.clock.now());
      await this.commit(system, at, (topo) => foldAlertmanagerAlert(topo, a, at));
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
    const member = str(b, 'member');
    return this.commit(system, at, (topo) => foldGenericEvent(topo, { system, member, message, severity, bad, at }));
  }

  private object(body: unknown): Body {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('bad_request', 'body must be a JSON object');
    return body as Body;
  }

  /** Commits the folded events against the stored topology (compare-and-set, retried on a concurrent change). */
  private async commit(system: string, at: number, fold: (topo: SystemTopology) => Folded) {
    const shape = systemShapes(this.config.get()).get(system);
    const r = await commitTopology(this.store, { version: 0, healthy: true }, {
      system,
      attempts: 5,
      emptyAt: () => at,
      change: (current) => {
        const { next, events } = fold(current);
        return { next, events, healthy: healthAfterIngest(next, shape) };
      },
    });
    if (r.status !== 'written') throw new DomainError('conflict', `the topology of ${system} kept changing; retry`);
    for (const e of r.events) this.logger.info({ system, event: e.kind, incidents: r.incidents }, e.message);
    if (shape) await announceTopologyChange(this.redis, system, this.logger);
    // No prober watches a system that is not in the config: what follows its topology (its Alertmanager alerts' evaluation) runs here.
    else this.listener.onSystemEvaluated({ shape: { name: system, kind: 'external', expect: {}, members: [], hasEndpoint: false, layer: 'external' }, topology: r.next, incidentId: r.incidents.at(-1) });
    return { accepted: r.events.length, incidents: r.incidents };
  }
}
