import { Module, type DynamicModule } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';
import { roleModule } from '../runtime/role-module';
import { IncidentsController } from './incidents.controller';
import { IncidentsService } from './incidents.service';
import { IncidentTopologyStore } from '../../../../libs/incidents/src/incident-topology-store';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { DataSource } from 'typeorm';
import { AnnouncingTopologyStore } from '../../../../libs/live/src/announcing-topology-store';
import type { Publish } from '../../../../libs/live/src/change-feed';
import { CHANGE_FEED, CONFIG, DATA_SOURCE, TOPOLOGY_STORE } from '../runtime/tokens';

/**
 * Where topology commits land: the topology row, its events and the incidents, in one
 * transaction; each commit is then named on the change feed for the consoles.
 */
const topologyStore = {
  provide: TOPOLOGY_STORE,
  useFactory: (ds: DataSource, config: ConfigHolder, publish: Publish) => new AnnouncingTopologyStore(new IncidentTopologyStore(ds, config), publish),
  inject: [DATA_SOURCE, CONFIG, CHANGE_FEED],
};

/** Incidents, their timelines, acknowledgements and drills (api); the store topology commits into (api, prober). */
@Module({})
export class IncidentsModule {
  static register(roles: ReadonlySet<Role>): DynamicModule {
    return roleModule(IncidentsModule, roles, (has) => ({
      providers: [...(has('api', 'prober') ? [topologyStore] : []), ...(has('api') ? [IncidentsService] : [])],
      controllers: has('api') ? [IncidentsController] : [],
      exports: [topologyStore],
    }));
  }
}
