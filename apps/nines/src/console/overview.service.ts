import { Inject, Injectable } from '@nestjs/common';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { byLayer, systemCard, type OpenIncident } from '../../../../libs/console/src/overview';
import type { IncidentCard, Overview, SystemCard, TargetCard } from '../../../../libs/console/src/cards';
import { IncidentQuery } from '../../../../libs/incidents/src/incident.query';
import { StateRepository, type TargetView } from '../../../../libs/storage/src/state.repository';
import { TopologyRepository } from '../../../../libs/topology/src/topology.repository';
import { CONFIG } from '../runtime/tokens';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function targetCard(t: TargetView): TargetCard {
  return {
    name: t.name,
    kind: t.kind,
    state: t.status ?? 'unknown',
    since: iso(t.status_since),
    latency_ms: t.last_duration_ms === null ? null : Math.round(t.last_duration_ms * 10) / 10,
    reason: t.status === 'down' ? (t.last_reason ?? undefined) : undefined,
  };
}

export function incidentCard(r: OpenIncident & { state: string; root_system: string; acknowledged_by: string | null; resolved_at: Date | null }): IncidentCard {
  return {
    id: r.id,
    title: r.title,
    severity: r.severity,
    state: r.state,
    systems: r.systems,
    root_system: r.root_system,
    drill: r.drill,
    opened_at: new Date(r.opened_at).toISOString(),
    acknowledged_at: r.acknowledged_at ? new Date(r.acknowledged_at).toISOString() : null,
    acknowledged_by: r.acknowledged_by,
    resolved_at: iso(r.resolved_at),
  };
}

/**
 * What the console's overview shows: every configured system as a card built from its stored
 * topology (the prober's last commit), the standalone targets with up/down and latency, and the
 * open incidents. Three queries whatever the size.
 */
@Injectable()
export class OverviewService {
  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    private readonly topologies: TopologyRepository,
    private readonly incidents: IncidentQuery,
    private readonly state: StateRepository,
  ) {}

  async snapshot(): Promise<Overview> {
    const [systems, targets, open] = await Promise.all([this.systemCards(), this.targetCards(), this.openIncidents()]);
    return { at: new Date().toISOString(), systems, targets, incidents: open.map(incidentCard) };
  }

  /** Cards of these systems (every configured one without a list), in layer order. */
  async systemCards(names?: string[], open?: Awaited<ReturnType<OverviewService['openIncidents']>>): Promise<SystemCard[]> {
    const defs = this.config.get().systems.filter((s) => !names || names.includes(s.name));
    if (!defs.length) return [];
    const [stored, incidents] = await Promise.all([this.topologies.loadMany(names ? defs.map((d) => d.name) : undefined), open ?? this.openIncidents()]);
    return byLayer(defs.map((d) => systemCard(d, stored.get(d.name)?.topology, incidents)));
  }

  async targetCards(): Promise<TargetCard[]> {
    const rows = await this.state.targets();
    return rows.filter((t) => !t.system).map(targetCard);
  }

  openIncidents() {
    return this.incidents.list({ state: 'open', limit: 1000 });
  }

  async incident(id: number): Promise<IncidentCard | undefined> {
    const r = await this.incidents.get(id);
    return r && incidentCard(r);
  }
}
