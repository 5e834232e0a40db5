/**
 * The cards the console shows, as the api sends them: the one definition shared by the server
 * (libs/console/src/overview.ts, apps/nines/src/console/overview.service.ts) and the page
 * (apps/console/src/types.ts). No imports, so the browser bundle can use it as it is.
 */
export type Health = 'up' | 'degraded' | 'down' | 'unknown';

export interface MemberCard {
  name: string;
  status: 'up' | 'down' | 'unknown';
  role?: string;
  lag_seconds?: number;
  lag_bytes?: number;
  /** Why replication is broken, or that the replica lags past expect.max_lag. */
  problem?: string;
}

export interface IncidentBadge {
  id: number;
  title: string;
  severity: string;
  acknowledged: boolean;
  drill: boolean;
  opened_at: string;
}

export interface SystemCard {
  name: string;
  layer: string;
  kind: string;
  health: Health;
  /** Short reasons for a health other than up, for a person ("no primary", "pg2 lagging"). */
  problems: string[];
  primary?: string;
  /** Which node answers the VIP (vip and keepalived systems). */
  vip_holder?: string;
  endpoint?: 'up' | 'down' | 'unknown';
  members: MemberCard[];
  incident?: IncidentBadge;
  updated_at?: string;
}

/** A standalone target as the overview lists it. */
export interface TargetCard {
  name: string;
  kind: string;
  state: string;
  since: string | null;
  latency_ms: number | null;
  reason?: string;
}

export interface IncidentCard {
  id: number;
  title: string;
  severity: string;
  state: string;
  systems: string[];
  root_system: string;
  drill: boolean;
  opened_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
}

export interface Overview {
  at: string;
  systems: SystemCard[];
  targets: TargetCard[];
  incidents: IncidentCard[];
}
