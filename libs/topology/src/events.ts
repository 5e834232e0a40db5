/** What topology detection produces: one record per thing that happened to a system. */
export type EventKind =
  | 'member_down'
  | 'member_up'
  | 'service_down'
  | 'service_restored'
  | 'role_changed'
  | 'promoted'
  | 'demoted'
  | 'rejoined'
  | 'epoch_changed'
  | 'leader_changed'
  | 'vip_moved'
  | 'switch_master'
  | 'no_primary'
  | 'primary_restored'
  | 'split_brain'
  | 'split_brain_resolved'
  | 'replication_broken'
  | 'replication_restored'
  | 'replication_lagging'
  | 'replication_caught_up'
  | 'topology_degraded'
  | 'topology_restored'
  | 'backend_removed'
  | 'backend_returned'
  | 'external';

export type Severity = 'critical' | 'major' | 'warning' | 'info';

export interface TopologyEvent {
  kind: EventKind;
  system: string;
  member?: string;
  /** When it happened as far as Nines can tell (the observation's tick time), epoch ms. */
  at: number;
  severity: Severity;
  /** true: something broke; false: something recovered. */
  bad: boolean;
  message: string;
  details: Record<string, unknown>;
}

/** The events that open or extend an incident (bad) vs. those that only close things (good). */
/** Counted as failovers: the poll-confirmed change of leader (a Sentinel push is confirmed by it). */
export const FAILOVER_KINDS: ReadonlySet<EventKind> = new Set(['leader_changed', 'vip_moved']);
