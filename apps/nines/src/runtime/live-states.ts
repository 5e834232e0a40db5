import type { TargetState } from '../../../../libs/probes/src/target-state';

/**
 * This process's prober, as /metrics sees it: the state of each target it probed, straight from
 * the engine, so per-target series need no database. Empty in a process without the prober role.
 */
export class LiveStates {
  lookup?: (key: string) => TargetState | undefined;
}
