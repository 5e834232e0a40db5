/** The shapes the console reads (apps/nines/src/console/overview.service.ts, libs/console/src/overview.ts). */
export interface MemberCard {
  name: string;
  status: 'up' | 'down' | 'unknown';
  role?: string;
  lag_seconds?: number;
  lag_bytes?: number;
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
  health: 'up' | 'degraded' | 'down' | 'unknown';
  problems: string[];
  primary?: string;
  vip_holder?: string;
  endpoint?: string;
  members: MemberCard[];
  incident?: IncidentBadge;
  updated_at?: string;
}

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
