import type { TopologyEvent } from '../../topology/src/events';

/** Milestones of an incident's story, in the order an on-call engineer reads them. */
export type Milestone =
  | 'first_failure_observed'
  | 'detected'
  | 'alert_sent'
  | 'failover_started'
  | 'new_primary_elected'
  | 'service_restored'
  | 'old_primary_rejoined'
  | 'acknowledged'
  | 'resolved'
  | 'reopened'
  | 'impact'
  | 'root_cause_changed'
  /** A responder's note (console or API). */
  | 'note';

export interface TimelineEntry {
  at: number;
  kind: Milestone | TopologyEvent['kind'];
  system?: string;
  member?: string;
  message: string;
  details: Record<string, unknown>;
}

export interface IncidentSoFar {
  milestones: Set<string>; // milestone kinds already on the timeline
  hasEndpoint: (system: string) => boolean;
  rootSystem: string;
}

const FAILOVER_START = new Set(['no_primary']);
const NEW_LEADER = new Set(['leader_changed', 'switch_master', 'vip_moved']);

/** The entries one event adds: the event itself plus any milestone it marks for the first time. */
export function entriesFor(e: TopologyEvent, inc: IncidentSoFar, opts: { opening: boolean; joinedAs: 'cause' | 'impact' }): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const base = { system: e.system, member: e.member };
  const milestone = (kind: Milestone, at: number, message: string, details: Record<string, unknown> = {}) => {
    if (inc.milestones.has(kind)) return;
    inc.milestones.add(kind);
    out.push({ ...base, at, kind, message, details });
  };
  if (opts.opening) {
    const first = typeof e.details.first_failure_at === 'number' ? e.details.first_failure_at : e.at;
    milestone('first_failure_observed', first, `first failed observation: ${e.message}`, { reason: e.details.reason });
    milestone('detected', e.at, `detected: ${e.message}`);
  }
  // A dependant recovering is the end of an impact, not one.
  if (opts.joinedAs === 'impact' && !opts.opening && e.bad) out.push({ ...base, at: e.at, kind: 'impact', message: `impact on ${e.system}: ${e.message}`, details: { event: e.kind } });
  out.push({ ...base, at: e.at, kind: e.kind, message: e.message, details: e.details });
  const primaryLost = e.kind === 'member_down' && (e.details.role === 'primary' || e.details.role === 'leader');
  if (primaryLost || FAILOVER_START.has(e.kind) || e.kind === 'external' && /odown|try-failover/.test(String(e.details.source_kind ?? ''))) {
    const at = primaryLost && typeof e.details.first_failure_at === 'number' ? e.details.first_failure_at : e.at;
    milestone('failover_started', at, `failover started: ${e.message}`);
  }
  if (NEW_LEADER.has(e.kind)) {
    // One milestone per new leader: Sentinel's push and the poll that confirms it name the same one.
    const key = `new_primary_elected:${String(e.details.to ?? '')}`;
    if (!inc.milestones.has(key)) {
      inc.milestones.add(key);
      out.push({ ...base, at: e.at, kind: 'new_primary_elected', message: e.message, details: { to: e.details.to, from: e.details.from, source: e.kind } });
    }
  }
  if (e.kind === 'service_restored' || (e.kind === 'primary_restored' && !inc.hasEndpoint(e.system))) {
    if (e.system === inc.rootSystem || !inc.milestones.has('service_restored')) milestone('service_restored', e.at, e.message);
  }
  if (e.kind === 'rejoined') milestone('old_primary_rejoined', e.at, e.message, { role: e.details.role, leader: e.details.leader });
  return out;
}
