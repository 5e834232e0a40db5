import { CreateProbeStorage1763800000000 } from './1763800000000-CreateProbeStorage';
import { CreateIncidents1763800100000 } from './1763800100000-CreateIncidents';
import { CreateAlerting1763800200000 } from './1763800200000-CreateAlerting';
import { MoveDefaultRowsIntoNewPartitions1763900000000 } from './1763900000000-MoveDefaultRowsIntoNewPartitions';
import { CreateGrafanaReadOnlyRole1764000000000 } from './1764000000000-CreateGrafanaReadOnlyRole';
import { CreateReports1764300000000 } from './1764300000000-CreateReports';
import { CreateSloRollups1764400000000 } from './1764400000000-CreateSloRollups';
import { CreateInstanceSecrets1764500000000 } from './1764500000000-CreateInstanceSecrets';
import { SplitSloDayArrays1764600000000 } from './1764600000000-SplitSloDayArrays';
import { KeepMinuteRollups1764700000000 } from './1764700000000-KeepMinuteRollups';
import { AlertVersions1764800000000 } from './1764800000000-AlertVersions';
import { CreateAccess1764900000000 } from './1764900000000-CreateAccess';
import { CreateSessions1765000000000 } from './1765000000000-CreateSessions';
import { CreateOncallOverrides1765100000000 } from './1765100000000-CreateOncallOverrides';
import { CreateHeartbeats1765200000000 } from './1765200000000-CreateHeartbeats';
import { AlertGroupEscalationPolicy1765300000000 } from './1765300000000-AlertGroupEscalationPolicy';
import { NotificationChannels1765400000000 } from './1765400000000-NotificationChannels';
import { PersonChannels1765500000000 } from './1765500000000-PersonChannels';
import { CreateOncallDefinitions1765600000000 } from './1765600000000-CreateOncallDefinitions';
import { OutsideSplitEvents1765700000000 } from './1765700000000-OutsideSplitEvents';

/** Every migration, in order. Listed explicitly so the compiled app needs no glob loading. */
export const MIGRATIONS = [CreateProbeStorage1763800000000, CreateIncidents1763800100000, CreateAlerting1763800200000, MoveDefaultRowsIntoNewPartitions1763900000000, CreateGrafanaReadOnlyRole1764000000000, CreateReports1764300000000, CreateSloRollups1764400000000, CreateInstanceSecrets1764500000000, SplitSloDayArrays1764600000000, KeepMinuteRollups1764700000000, AlertVersions1764800000000, CreateAccess1764900000000, CreateSessions1765000000000, CreateOncallOverrides1765100000000, CreateHeartbeats1765200000000, AlertGroupEscalationPolicy1765300000000, NotificationChannels1765400000000, PersonChannels1765500000000, CreateOncallDefinitions1765600000000, OutsideSplitEvents1765700000000];
