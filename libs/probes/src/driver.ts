import type { ZodTypeAny } from 'zod';
import type { Observation } from './observation';

export interface ProbeContext {
  /** Aborted when the probe's timeout elapses; drivers close their sockets on it. */
  signal: AbortSignal;
  timeoutMs: number;
  /** The engine's clock, for drivers that compare a reading with now (certificate expiry). */
  now?: () => number;
}

/**
 * A driver is one file: its config schema (fields beyond kind/interval/timeout/labels), the
 * secrets inside a spec (so they can be masked everywhere) and the probe itself. Drivers never
 * throw for a failed probe: they return { up: false, reason }. A throw is treated the same way,
 * but its message is less helpful.
 */
/** Something a watching driver heard from the system itself (a Sentinel +switch-master, …). */
export interface DriverEvent {
  /** Epoch ms when Nines received it. */
  at: number;
  /** Source-specific name, e.g. "+switch-master", "+sdown", "state-change". */
  kind: string;
  /** Human-readable, secret-free line. */
  message: string;
  details?: Record<string, unknown>;
}

export interface WatchContext {
  emit(event: DriverEvent): void;
  /** Called when the watch connection fails or recovers, for logging. */
  onError?(reason: string): void;
}

/** A long-lived subscription; stop() closes its connections. */
export interface Watch {
  stop(): Promise<void>;
}

export interface ProbeDriver<S = any> {
  kind: string;
  /** Zod object schema of the driver's own fields; validated strictly (unknown keys are errors). */
  schema: ZodTypeAny;
  secrets?(spec: S): string[];
  probe(spec: S, ctx: ProbeContext): Promise<Observation>;
  /**
   * Optional push channel for systems that announce changes (Sentinel events, …). The engine
   * re-probes the target as soon as an event arrives, so a switch is seen within a second and
   * cross-checked by the poll. Must reconnect by itself and never throw.
   */
  watch?(spec: S, ctx: WatchContext): Watch;
}
