/**
 * Probing from several locations (issue 17), the pure part: the quorum verdict of one target from
 * its locations' latest results, partitions (one location losing many targets the others still
 * reach) and split brain seen from outside (two locations seeing two different holders).
 * The prober side is location-gate.ts (votes per result) and location-report.ts (the whole board).
 */
export interface LocationVote {
  location: string;
  up: boolean;
  /** When the result was observed. */
  at: number;
  reason?: string;
}

export interface QuorumRule {
  /** Where the target is probed from. */
  locations: string[];
  /** How many locations must see it down for the verdict to be down. */
  quorum: number;
}

export interface QuorumVerdict {
  state: 'up' | 'down' | 'unknown';
  /** Locations whose vote counted, by what they saw. */
  down: string[];
  up: string[];
  /** Expected locations with no fresh vote or no live prober: their votes are dropped. */
  missing: string[];
  /** The quorum actually applied: the configured one, or fewer when fewer locations can vote. */
  quorum: number;
  /** Down from some locations but not enough for the verdict: say where and why. */
  warning?: string;
}

/**
 * A vote counts when its location is live (its probers heartbeat) and the result is fresh. The
 * verdict is down when at least `quorum` counted votes say down; when fewer locations can vote
 * than the quorum, all of those that can must agree (a lone live location still decides, rather
 * than leaving the target unknown while it is visibly down).
 */
export function quorumVerdict(rule: QuorumRule, votes: readonly LocationVote[], live: ReadonlySet<string>, now: number, staleMs: number): QuorumVerdict {
  const latest = new Map<string, LocationVote>();
  for (const v of votes) {
    const prev = latest.get(v.location);
    if (!prev || v.at > prev.at) latest.set(v.location, v);
  }
  const down: string[] = [];
  const up: string[] = [];
  const missing: string[] = [];
  for (const loc of rule.locations) {
    const v = latest.get(loc);
    if (!v || !live.has(loc) || now - v.at > staleMs) missing.push(loc);
    else (v.up ? up : down).push(loc);
  }
  const counted = down.length + up.length;
  const quorum = Math.max(1, Math.min(rule.quorum, counted));
  if (counted === 0) return { state: 'unknown', down, up, missing, quorum };
  if (down.length >= quorum) return { state: 'down', down, up, missing, quorum };
  const warning = down.length
    ? `${downFrom(down, (l) => latest.get(l)?.reason)}; up from ${up.join(', ')}`
    : undefined;
  return { state: 'up', down, up, missing, quorum, warning };
}

/** "down from dc1 (connection refused), dc3": where a target is seen down, and why when known. */
export function downFrom(locations: readonly string[], reasonOf: (location: string) => string | undefined): string {
  return `down from ${locations.map((l) => `${l}${reasonOf(l) ? ` (${reasonOf(l)})` : ''}`).join(', ')}`;
}

export interface LocationView {
  location: string;
  /** Targets this location sees down now, and those it sees up. */
  down: readonly string[];
  up: readonly string[];
}

export interface Partition {
  location: string;
  /** Targets down from this location only (every other location that votes sees them up). */
  unreachable: string[];
  message: string;
}

/**
 * A location that loses many targets at once while the others still see them up is cut off, not
 * watching an outage: one network event ("dc2 cannot reach 14 targets …"), not a page per target.
 * `min` targets and `share` of what the location probes must be affected.
 */
export function partitions(views: readonly LocationView[], opts: { min: number; share: number } = { min: 3, share: 0.5 }): Partition[] {
  const out: Partition[] = [];
  for (const v of views) {
    const others = views.filter((o) => o.location !== v.location);
    if (!others.length) continue;
    const unreachable = v.down.filter((t) => others.some((o) => o.up.includes(t)) && !others.some((o) => o.down.includes(t)));
    const probed = v.down.length + v.up.length;
    if (unreachable.length >= opts.min && probed > 0 && unreachable.length / probed >= opts.share) {
      const sample = unreachable.slice(0, 5).join(', ') + (unreachable.length > 5 ? `, … (${unreachable.length - 5} more)` : '');
      out.push({ location: v.location, unreachable, message: `${v.location} cannot reach ${unreachable.length} of its ${probed} targets that other locations reach: ${sample}` });
    }
  }
  return out;
}

export interface HolderView {
  location: string;
  /** Which member this location sees as primary, leader or VIP holder (undefined: none). */
  holder?: string;
  at: number;
}

/**
 * Split brain seen from outside: fresh views from two or more locations name different holders.
 * Each location may see a healthy system with one holder; together they see two.
 */
export function splitBrainFromOutside(system: string, views: readonly HolderView[], now: number, staleMs: number): { holders: Record<string, string[]>; message: string } | undefined {
  const byHolder = new Map<string, string[]>();
  for (const v of views) {
    if (!v.holder || now - v.at > staleMs) continue;
    byHolder.set(v.holder, [...(byHolder.get(v.holder) ?? []), v.location]);
  }
  if (byHolder.size < 2) return undefined;
  const holders = Object.fromEntries([...byHolder].sort(([a], [b]) => a.localeCompare(b)).map(([h, locs]) => [h, locs.sort()]));
  return { holders, message: `split brain seen from outside on ${system}: ${Object.entries(holders).map(([h, locs]) => `${locs.join(', ')} ${locs.length > 1 ? 'see' : 'sees'} ${h}`).join('; ')}` };
}
