import { Global, Module, type Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import { SessionRepository } from '../../../../libs/access/src/session.repository';
import { TokenRepository } from '../../../../libs/access/src/token.repository';
import { OverrideRepository } from '../../../../libs/oncall/src/override.repository';
import { OnCallDefinitionRepository } from '../../../../libs/oncall/src/oncall-definition.repository';
import { AlertRepository } from '../../../../libs/alerting/src/alert.repository';
import type { Clock } from '../../../../libs/common/src/clock';
import { DrillRepository } from '../../../../libs/incidents/src/drill.repository';
import { IncidentQuery } from '../../../../libs/incidents/src/incident.query';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import { NotificationRepository } from '../../../../libs/notify/src/notification.repository';
import { SilenceRepository } from '../../../../libs/silences/src/silence.repository';
import { RollupCompactionRepository } from '../../../../libs/slo/src/rollup-compaction.repository';
import { SloAlertStateRepository } from '../../../../libs/slo/src/slo-alert-state.repository';
import { SloDataRepository } from '../../../../libs/slo/src/slo-data.repository';
import { MaintenanceRepository } from '../../../../libs/storage/src/maintenance.repository';
import { ResultRepository } from '../../../../libs/storage/src/result.repository';
import { StateRepository } from '../../../../libs/storage/src/state.repository';
import { TopologyRepository } from '../../../../libs/topology/src/topology.repository';
import { CLOCK, DATA_SOURCE } from './tokens';

/** A repository over the shared DataSource, injected by its class. */
const onDataSource = <T>(cls: new (ds: DataSource) => T): Provider => ({ provide: cls, useFactory: (ds: DataSource) => new cls(ds), inject: [DATA_SOURCE] });

const REPOSITORIES: Provider[] = [
  onDataSource(ResultRepository),
  onDataSource(StateRepository),
  onDataSource(TopologyRepository),
  onDataSource(NotificationRepository),
  onDataSource(IncidentQuery),
  onDataSource(IncidentRepository),
  onDataSource(DrillRepository),
  onDataSource(SilenceRepository),
  onDataSource(MaintenanceRepository),
  onDataSource(SloDataRepository),
  onDataSource(RollupCompactionRepository),
  onDataSource(SloAlertStateRepository),
  onDataSource(TokenRepository),
  onDataSource(AuditRepository),
  onDataSource(OverrideRepository),
  onDataSource(SessionRepository),
  { provide: OnCallDefinitionRepository, useFactory: (ds: DataSource, clock: Clock) => new OnCallDefinitionRepository(ds, clock), inject: [DATA_SOURCE, CLOCK] },
  { provide: AlertRepository, useFactory: (ds: DataSource, clock: Clock) => new AlertRepository(ds, clock), inject: [DATA_SOURCE, CLOCK] },
];

/**
 * Every database repository as a provider (the I/O behind the services), so a service declares
 * what it reads and writes in its constructor and a test can hand it another.
 */
@Global()
@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class RepositoriesModule {}
