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
  /**
   * Another process may have acted on this target since this one last passed its results on
   * (probing from several locations: the location that passes results on changes with the
   * verdict): read what is stored anew before the next result rather than trust what is cached.
   */
  resync?(target: ProbeTarget): void;
  /** Waits for work already handed over, before shutdown. */
  drain(): Promise<void>;
}
