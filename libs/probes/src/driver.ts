import type { ZodTypeAny } from 'zod';
import type { Observation } from './observation';

export interface ProbeContext {
  /** Aborted when the probe's timeout elapses; drivers close their sockets on it. */
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * A driver is one file: its config schema (fields beyond kind/interval/timeout/labels), the
 * secrets inside a spec (so they can be masked everywhere) and the probe itself. Drivers never
 * throw for a failed probe: they return { up: false, reason }. A throw is treated the same way,
 * but its message is less helpful.
 */
export interface ProbeDriver<S = any> {
  kind: string;
  /** Zod object schema of the driver's own fields; validated strictly (unknown keys are errors). */
  schema: ZodTypeAny;
  secrets?(spec: S): string[];
  probe(spec: S, ctx: ProbeContext): Promise<Observation>;
}
