/**
 * One normalized observation per probe, the same for every driver, so topology and incident
 * logic never needs to know which system produced it.
 */
export type Role =
  | 'primary'
  | 'replica'
  | 'leader'
  | 'follower'
  | 'observer'
  | 'standalone'
  | 'backup'
  | 'unknown';

export interface PeerSeen {
  /** How this member names the peer (host:port, node id). */
  id: string;
  role?: Role;
  state?: string;
  lagSeconds?: number;
  lagBytes?: number;
  details?: Record<string, unknown>;
}

export interface Observation {
  up: boolean;
  /** Short, human, secret-free: "connection refused", "timeout after 3s", "status 503". */
  reason?: string;
  role?: Role;
  /** Who this node believes is leader/primary (for detecting elections and split views). */
  leader?: string;
  /** Epoch/term/timeline: changes when a promotion or election happened. */
  epoch?: string;
  lagSeconds?: number;
  lagBytes?: number;
  peers?: PeerSeen[];
  httpStatus?: number;
  /** Earliest certificate expiry in the served chain, epoch seconds. */
  certExpiry?: number;
  /** Up, but something an engineer should know soon (certificate expiring, lag near the limit). */
  warning?: string;
  details?: Record<string, unknown>;
}

/** What the engine records: the observation plus timing, stamped by the engine, not the driver. */
export interface ProbeResult extends Observation {
  targetKey: string;
  /** Scheduled tick time (epoch ms): the identity of this run. */
  scheduledAt: number;
  startedAt: number;
  durationMs: number;
}
