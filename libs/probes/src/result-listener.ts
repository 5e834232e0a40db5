import type { DriverEvent } from './driver';
import type { ProbeResult } from './observation';
import type { ProbeTarget } from './target';
import type { TargetState } from './target-state';

/**
 * What the prober hands each result to (topology, target alerts), so the engine's wiring names no
 * later stage. Called in the process, with no queue between: one hop.
 */
export interface ResultListener {
  onResult(target: ProbeTarget, result: ProbeResult, state: TargetState): void;
  /** An event a driver pushed (a Sentinel +switch-master), for listeners that fold them. */
  onExternal?(target: ProbeTarget, event: DriverEvent): void;
  /** Waits for work already handed over, before shutdown. */
  drain(): Promise<void>;
}
