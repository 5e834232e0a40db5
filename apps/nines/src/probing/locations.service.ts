import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { locationAlerts } from '../../../../libs/alerting/src/rules';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import { LocationBoardReader } from '../../../../libs/probes/src/location-board';
import { readLocationReport, type LocationReport } from '../../../../libs/probes/src/location-report';
import { NetworkIncidentRepository, reconcileOutsideSplits } from '../../../../libs/incidents/src/network-incident.repository';
import type { Publish } from '../../../../libs/live/src/change-feed';
import type { DataSource } from 'typeorm';
import { AlertService } from '../alerting/alert.service';
import { CHANGE_FEED, CLOCK, CONFIG, DATA_SOURCE, LOGGER, REDIS, SETTINGS } from '../runtime/tokens';

/** What the locations see together (GET /api/v1/locations, and the watch below). */
@Injectable()
export class LocationsService {
  readonly reader: LocationBoardReader;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.reader = new LocationBoardReader(redis, 6000, clock);
  }

  report(): Promise<LocationReport> {
    const c = this.config.get();
    return readLocationReport(this.reader, c.targets, c.locations.partition, this.clock.now());
  }
}

const WATCH_LOCK = 'nines:locations:watch';
const WATCH_EVERY_MS = 1000;

/**
 * On the probers of a deployment with locations: once a second, one of them (a lease in Redis)
 * reads every location's votes, keeps one network incident per cut location (opened once,
 * resolved when healed) and evaluates the "locations" alerts — partitions (linked to their
 * incident), targets down from some locations only, split brain seen from outside, locations
 * whose probers stopped. The alerts' compare-and-set and the incidents' lock keep each change
 * once should two hold the lease for a moment.
 */
@Injectable()
export class LocationWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;
  private warnedAt = -Infinity;
  private readonly network: NetworkIncidentRepository;
  private readonly ds: DataSource;
  /** What this process last wrote of cuts and outside splits: the database is only asked when that changes (or every 30 s). */
  private written?: { key: string; at: number };
  private open = new Map<string, number>();

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(CHANGE_FEED) private readonly publish: Publish,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly locations: LocationsService,
    @Optional() private readonly alerts?: AlertService,
  ) {
    this.network = new NetworkIncidentRepository(ds);
    this.ds = ds;
  }

  onApplicationBootstrap(): void {
    if (!this.settings.location || !this.alerts) return;
    this.timer = setInterval(() => void this.tick(), WATCH_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, WATCH_LOCK, this.settings.instanceId).catch(() => undefined);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (!(await this.lease())) return;
      const report = await this.locations.report();
      const now = this.clock.now();
      const cut = report.locations.flatMap((l) => (l.partition ? [{ location: l.name, ...l.partition }] : []));
      const key = JSON.stringify([cut.map((c) => c.location), report.split_brain.map((s) => s.system)]);
      if (!this.written || this.written.key !== key || now - this.written.at > 30_000 || this.open.size !== cut.length) {
        const incidents = await this.network.reconcile(cut, now);
        for (const id of incidents.touched) this.publish({ kind: 'incident', id, at: now });
        for (const system of await reconcileOutsideSplits(this.ds, report.split_brain, now)) this.publish({ kind: 'system', name: system, at: now });
        this.open = incidents.open;
        this.written = { key, at: now };
      }
      this.alerts!.evaluate('locations', locationAlerts(report, now, this.open));
    } catch (err) {
      // Redis away: no verdict rather than a false one (each location then acts alone; see LocationGate).
      const now = this.clock.now();
      if (now - this.warnedAt > 60_000) {
        this.warnedAt = now;
        this.logger.warn({ err: (err as Error).message }, 'cannot read the locations board; partition and split-brain checks paused');
      }
    } finally {
      this.running = false;
    }
  }

  /** Takes or keeps the watch's lease (3 s): one prober reads the whole board at a time. */
  private async lease(): Promise<boolean> {
    const got = await this.redis.eval(
      `local cur = redis.call('GET', KEYS[1])
       if cur == ARGV[1] or not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
       return 0`,
      1,
      WATCH_LOCK,
      this.settings.instanceId,
      String(3 * WATCH_EVERY_MS),
    );
    return Number(got) === 1;
  }
}
