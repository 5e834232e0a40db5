import { Gauge, Registry } from 'prom-client';
import type { Clock } from '../../common/src/clock';
import type { Vote } from '../../probes/src/location-votes';
import { voteStaleMs } from '../../probes/src/location-votes';
import type { LocationSeen } from '../../probes/src/location-report';
import type { ProbeTarget } from '../../probes/src/target';
import { Snapshot } from './snapshot';

export interface LocationCollectorOptions {
  targets: () => readonly ProbeTarget[];
  reader: { locations(): Promise<LocationSeen[]>; votes(locations: readonly string[]): Promise<Map<string, Map<string, Vote>>> };
  clock: Clock;
}

interface Board {
  locations: LocationSeen[];
  votes: Map<string, Map<string, Vote>>;
}

/**
 * Per-location series beside the quorum verdict (probe_success): what each location's probers
 * last saw of each target (fresh votes only: a location that stopped has no series, not a 0), and
 * whether each location is up (0 once its probers stop heart-beating). Read from Redis at most
 * once a second; a deployment with no locations exports neither.
 */
export class LocationCollector {
  private readonly board: Snapshot<Board>;

  constructor(opts: LocationCollectorOptions, registry: Registry) {
    this.board = new Snapshot<Board>(
      { locations: [], votes: new Map() },
      async () => {
        const locations = await opts.reader.locations();
        return { locations, votes: locations.length ? await opts.reader.votes(locations.map((l) => l.name)) : new Map() };
      },
      opts.clock,
      1000,
      500,
    );
    const board = this.board;
    new Gauge({
      name: 'nines_location_up',
      help: "Whether a probing location's probers are heart-beating (1) or have stopped (0): its votes are then dropped.",
      labelNames: ['location'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const l of (await board.get()).locations) this.set({ location: l.name }, l.up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'nines_location_probe_success',
      help: 'Whether the target is up as seen from this location (its latest vote); probe_success is the quorum verdict of all locations.',
      labelNames: ['target', 'location'],
      registers: [registry],
      async collect() {
        this.reset();
        const b = await board.get();
        const now = opts.clock.now();
        for (const t of opts.targets()) {
          for (const l of b.locations) {
            if (!l.up) continue;
            const v = b.votes.get(l.name)?.get(t.key);
            if (v && now - v.at <= voteStaleMs(t)) this.set({ target: t.key, location: l.name }, v.up ? 1 : 0);
          }
        }
      },
    });
  }
}
