import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import { authenticated, type Caller } from '../../../../libs/access/src/caller';
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
import type { AlertmanagerBody, GenericBody, KeepalivedBody } from './ingest.schemas';

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
    private readonly audit: AuditRepository,
  ) {}

  /**
   * keepalived notify: `{ type, name, state, priority, node?, system? }` — keepalived's own four
   * arguments, plus the reporting host. Without `node`, the host is the member of a keepalived or
   * vip system probed at the address the request came from. A MASTER elsewhere is a VIP move.
   */
  async keepalived(caller: Caller, b: KeepalivedBody) {
    const { system, member: node } = keepalivedSender(this.config.get(), b.node ?? b.member, b.system, caller.address);
    const instance = b.name ?? b.instance ?? b.group ?? 'vrrp';
    const at = this.clock.now();
    const r = await this.commit(system, at, (topo) => foldKeepalivedNotify(topo, { system, node, instance, state: b.state as KeepalivedState, priority: b.priority, at }));
    await this.accepted(caller, 'keepalived', system, { node, instance, state: b.state, priority: b.priority, events: r.accepted, incidents: r.incidents });
    return r;
  }

  /** One audit row per accepted push: which source, which system, what it said in short. */
  private async accepted(caller: Caller, source: string, system: string, after: unknown) {
    await this.audit.record(caller, { action: 'ingest.accepted', target: `${source}:${system}`.slice(0, 300), after });
  }

  /** Alertmanager webhook v4: each alert becomes an event of the system named by its labels. */
  async alertmanager(caller: Caller, b: AlertmanagerBody) {
    let accepted = 0;
    const systems = new Set<string>();
    for (const raw of b.alerts) {
      const a = raw as AlertmanagerAlert;
      const { system, at } = alertmanagerSubject(a, this.clock.now());
      await this.commit(system, at, (topo) => foldAlertmanagerAlert(topo, a, at));
      systems.add(system);
      accepted++;
    }
    if (accepted) await this.accepted(caller, 'alertmanager', [...systems].join(','), { alerts: accepted, systems: [...systems].slice(0, 50) });
    return { accepted };
  }

  /** Anything else: `{ system, member?, message, severity?, bad?, at? }`. */
  async generic(caller: Caller, b: GenericBody) {
    const severity = SEVERITIES[b.severity ?? 'warning'];
    const at = b.at ?? this.clock.now();
    const bad = b.bad === undefined ? severity !== 'info' : b.bad === true;
    const r = await this.commit(b.system, at, (topo) => foldGenericEvent(topo, { system: b.system, member: b.member, message: b.message, severity, bad, at }));
    await this.accepted(caller, 'generic', b.system, { member: b.member, severity: b.severity ?? 'warning', bad, message: b.message.slice(0, 200), events: r.accepted, incidents: r.incidents });
    return r;
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
