import type { TopologyEvent } from './events';
import { emptyTopology, type SystemTopology } from './topology';
import type { StoredTopology } from './topology.repository';

/** One write: a system's new topology, compare-and-set on the version it was read at, with its events. */
export interface TopologyWrite {
  system: string;
  expectedVersion: number;
  topology: SystemTopology;
  healthy: boolean;
  wasHealthy: boolean;
  events: TopologyEvent[];
}

/** ok false: another writer moved the topology on first, and nothing was written. */
export interface TopologyWriteResult {
  ok: boolean;
  version: number;
  /** Incidents the events opened or joined. */
  incidents: number[];
}

/**
 * Where topologies are read and written. A write records the events (and the incidents they
 * make) in the same transaction as the row, so a lost compare-and-set records nothing.
 */
export interface TopologyStore {
  load(system: string): Promise<StoredTopology>;
  write(w: TopologyWrite): Promise<TopologyWriteResult>;
}

/** What a writer knows of a system's topology; without `topology` it is read from the store first. */
export interface KnownTopology {
  topology?: SystemTopology;
  version: number;
  healthy: boolean;
}

export interface TopologyChange {
  next: SystemTopology;
  events: TopologyEvent[];
  healthy: boolean;
}

export interface CommitRequest {
  system: string;
  /** Folds the input into the current topology; called again on the stored one after a conflict. */
  change: (current: SystemTopology, known: KnownTopology) => TopologyChange;
  /** updatedAt of a topology never stored before. */
  emptyAt: () => number;
  attempts: number;
  /** A change that may stay in memory for now (nothing happened, and the stored picture is fresh enough). */
  canWait?: (c: TopologyChange, known: KnownTopology) => boolean;
}

export type CommitOutcome =
  | ({ status: 'written'; incidents: number[] } & TopologyChange)
  | ({ status: 'kept' } & TopologyChange)
  | { status: 'conflict' };

/**
 * The one way a system's topology changes: fold the input into what is known (read from the store
 * when nothing is), write it by compare-and-set, and on a conflict start again from what the other
 * writer stored. `known` is updated in place, so a caller that keeps it skips the read next time.
 */
export async function commitTopology(store: TopologyStore, known: KnownTopology, req: CommitRequest): Promise<CommitOutcome> {
  for (let attempt = 0; attempt < req.attempts; attempt++) {
    const c = req.change(await readTopology(store, known, req.system, req.emptyAt), known);
    if (req.canWait?.(c, known)) {
      known.topology = c.next;
      return { status: 'kept', ...c };
    }
    const r = await store.write({ system: req.system, expectedVersion: known.version, topology: c.next, healthy: c.healthy, wasHealthy: known.healthy, events: c.events });
    if (r.ok) {
      known.topology = c.next;
      known.version = r.version;
      known.healthy = c.healthy;
      return { status: 'written', ...c, incidents: r.incidents };
    }
    // Another writer (a replica during a takeover, the events API) moved it on: fold again into what it stored.
    known.topology = undefined;
  }
  return { status: 'conflict' };
}

/** Fills `known` from the store unless it already holds the topology; an empty one for a system never stored. */
export async function readTopology(store: Pick<TopologyStore, 'load'>, known: KnownTopology, system: string, emptyAt: () => number): Promise<SystemTopology> {
  if (!known.topology) {
    const stored = await store.load(system);
    known.topology = stored.topology ?? emptyTopology(system, emptyAt());
    known.version = stored.version;
    known.healthy = stored.healthy;
  }
  return known.topology;
}
