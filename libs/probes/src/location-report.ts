import { verdictOf, voteStaleMs, type Vote } from './location-votes';
import { downFrom, partitions, splitBrainFromOutside, type HolderView, type LocationView } from './quorum';
import type { ProbeTarget } from './target';

/** A location as the board knows it: when its probers last beat, and how many are live. */
export interface LocationSeen {
  name: string;
  lastSeen: number;
  up: boolean;
  probers: number;
}

export interface LocationReportInput {
  targets: readonly ProbeTarget[];
  locations: readonly LocationSeen[];
  /** location → target key → that location's latest vote. */
  votes: ReadonlyMap<string, ReadonlyMap<string, Vote>>;
  now: number;
  partition: { minTargets: number; share: number };
}

export interface LocationReport {
  locations: { name: string; up: boolean; probers: number; last_seen: string; partition: null | { unreachable: string[]; message: string } }[];
  split_brain: { system: string; holders: Record<string, string[]>; message: string }[];
  /** Down from some locations, fewer than the quorum: a warning naming where and why. */
  degraded: { target: string; location: string; reason?: string; message: string }[];
}

const LEADING_ROLES = new Set(['primary', 'leader']);

/**
 * What the locations see together, from their latest votes: which location is cut off from the
 * targets the others reach (a partition: one network event), which systems two locations see
 * with two different holders (split brain seen from outside), and which targets some locations
 * see down without a quorum. Pure: the caller reads the board and passes `now`.
 */
export function locationReport(input: LocationReportInput): LocationReport {
  const { targets, votes, now } = input;
  const live = new Set(input.locations.filter((l) => l.up).map((l) => l.name));
  const fresh = (t: ProbeTarget, location: string): Vote | undefined => {
    const v = votes.get(location)?.get(t.key);
    return v && now - v.at <= voteStaleMs(t) ? v : undefined;
  };
  const probedFrom = (t: ProbeTarget, l: string) => !t.locations || t.locations.includes(l);

  const views: LocationView[] = [...live].sort().map((l) => {
    const down: string[] = [];
    const up: string[] = [];
    for (const t of targets) {
      if (!probedFrom(t, l)) continue;
      const v = fresh(t, l);
      if (v) (v.up ? up : down).push(t.key);
    }
    return { location: l, down, up };
  });
  const cut = new Map(partitions(views, { min: input.partition.minTargets, share: input.partition.share }).map((p) => [p.location, p]));

  const degraded: LocationReport['degraded'] = [];
  for (const t of targets) {
    const mine = new Map<string, Vote>();
    for (const l of live) {
      const v = probedFrom(t, l) ? votes.get(l)?.get(t.key) : undefined;
      if (v) mine.set(l, v);
    }
    const verdict = verdictOf(t, mine, live, now);
    if (verdict.state !== 'up') continue;
    for (const l of verdict.down) {
      if (cut.has(l)) continue; // the partition says it once for all of them
      const reason = mine.get(l)?.reason;
      degraded.push({ target: t.key, location: l, reason, message: `${t.key}: ${downFrom([l], () => reason)}; up from ${verdict.up.join(', ')}` });
    }
  }

  const split: LocationReport['split_brain'] = [];
  const systems = new Map<string, ProbeTarget[]>();
  for (const t of targets) if (t.system !== undefined) systems.set(t.system, [...(systems.get(t.system) ?? []), t]);
  for (const [system, members] of systems) {
    const endpoint = members.find((m) => m.isEndpoint);
    const holders: HolderView[] = [];
    for (const l of live) {
      // The endpoint (a VIP) names its holder; else the one member this location sees leading.
      const ev = endpoint && probedFrom(endpoint, l) ? fresh(endpoint, l) : undefined;
      if (ev?.up && ev.leader) {
        holders.push({ location: l, holder: ev.leader, at: ev.at });
        continue;
      }
      const leading = members.filter((m) => !m.isEndpoint && probedFrom(m, l)).map((m) => ({ m, v: fresh(m, l) })).filter(({ v }) => v?.up && v.role && LEADING_ROLES.has(v.role));
      if (leading.length === 1) holders.push({ location: l, holder: leading[0].m.member ?? leading[0].m.name, at: leading[0].v!.at });
    }
    const sb = splitBrainFromOutside(system, holders, now, Infinity);
    if (sb) split.push({ system, ...sb });
  }

  return {
    locations: input.locations.map((l) => {
      const p = cut.get(l.name);
      return { name: l.name, up: l.up, probers: l.probers, last_seen: new Date(l.lastSeen).toISOString(), partition: p ? { unreachable: p.unreachable, message: p.message } : null };
    }),
    split_brain: split,
    degraded,
  };
}

/** Reads the board and reports; no location ever seen (a single vantage point) reads one key. */
export async function readLocationReport(
  reader: { locations(): Promise<LocationSeen[]>; votes(locations: readonly string[]): Promise<Map<string, Map<string, Vote>>> },
  targets: readonly ProbeTarget[],
  partition: LocationReportInput['partition'],
  now: number,
): Promise<LocationReport> {
  const locations = await reader.locations();
  if (!locations.length) return { locations: [], split_brain: [], degraded: [] };
  const votes = await reader.votes(locations.map((l) => l.name));
  return locationReport({ targets, locations, votes, now, partition });
}
