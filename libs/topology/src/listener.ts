import type { SystemShape, SystemTopology } from './topology';

/** A system's topology as it stands after a fold or a commit. */
export interface SystemEvaluation {
  shape: SystemShape & { layer: string; labels?: Record<string, string> };
  topology: SystemTopology;
  /** The incident the system's latest events opened or joined, while it is unhealthy. */
  incidentId?: number;
  lastFailover?: { at: number; from?: string; to?: string };
}

/**
 * What happens after topology changes (the built-in system alerts). Called in-line after every
 * fold, so what follows stays one hop from the probe; topology knows nothing of what it does.
 */
export interface TopologyListener {
  onSystemEvaluated(e: SystemEvaluation): void;
}
