/** A probe spec after config validation: kind plus the driver's own fields. */
export interface ProbeSpec {
  kind: string;
  [field: string]: unknown;
}

/** Something the engine probes on a schedule: a standalone target, a system member or endpoint. */
export interface ProbeTarget {
  /** Stable identity: "homepage", "orders-db/pg1", "orders-db/@endpoint". */
  key: string;
  name: string;
  system?: string;
  member?: string;
  layer?: string;
  /** Kind of the system (postgres, redis-sentinel…) or of the probe for standalone targets. */
  systemKind?: string;
  isEndpoint?: boolean;
  intervalMs: number;
  timeoutMs: number;
  labels: Record<string, string>;
  probe: ProbeSpec;
  /** Probed from these locations (NINES_LOCATION); unset: from every location present. */
  locations?: string[];
  /** How many locations must see it down for it to be down; unset: a majority of those that vote. */
  quorum?: number;
}

/**
 * What a prober owns: a whole system (so one replica sees all its members together and can
 * compare them) or a standalone target.
 */
export function shardKey(t: ProbeTarget): string {
  return t.system !== undefined ? `system:${t.system}` : `target:${t.key}`;
}
