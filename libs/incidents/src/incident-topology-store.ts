import type { DataSource } from 'typeorm';
import { intervalOf, type NinesConfig } from '../../config/src/config';
import type { TopologyStore, TopologyWrite, TopologyWriteResult } from '../../topology/src/commit';
import { TopologyRepository, type StoredTopology } from '../../topology/src/topology.repository';
import { systemGraph, type SystemGraph } from './correlate';
import { IncidentRepository } from './incident.repository';

/**
 * The topology commit path's store: the topology row, and the events and incidents written with
 * it in one transaction, correlated by the running config's system graph.
 */
export class IncidentTopologyStore implements TopologyStore {
  private readonly topologies: TopologyRepository;
  private readonly incidents: IncidentRepository;
  private graphOf?: { config: NinesConfig; graph: SystemGraph; endpoints: Set<string> };

  constructor(
    ds: DataSource,
    private readonly config: { get(): NinesConfig },
  ) {
    this.topologies = new TopologyRepository(ds);
    this.incidents = new IncidentRepository(ds, this.topologies);
  }

  load(system: string): Promise<StoredTopology> {
    return this.topologies.load(system);
  }

  write(w: TopologyWrite): Promise<TopologyWriteResult> {
    const c = this.config.get();
    // Built once per config, not per write: the prober writes every few seconds per system.
    if (this.graphOf?.config !== c) this.graphOf = { config: c, graph: systemGraph(c), endpoints: new Set(c.systems.filter((s) => s.endpointKey).map((s) => s.name)) };
    const { graph, endpoints } = this.graphOf;
    return this.incidents.commit({
      ...w,
      graph,
      hasEndpoint: (s) => endpoints.has(s),
      // Intervals from the config of the moment, so an incident's uncertainties do not depend on which commit measured it last.
      intervalMs: (s, m) => intervalOf(this.config.get(), s, m),
    });
  }
}
