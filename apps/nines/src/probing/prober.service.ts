import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { NinesConfig } from '../../../../libs/config/src/config';
import type { ProbeTarget } from '../../../../libs/probes/src/target';
import type { TargetState } from '../../../../libs/probes/src/target-state';
import type { Settings } from '../../../../libs/config/src/settings';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { RedisMembership, RedisTickClaimer } from '../../../../libs/probes/src/coordination';
import { LOCATION_KEYS, RedisLocationBoard } from '../../../../libs/probes/src/location-board';
import { LocationGate } from '../../../../libs/probes/src/location-gate';
import type { ProbeResult } from '../../../../libs/probes/src/observation';
import type { Transition } from '../../../../libs/probes/src/target-state';
import { ProbeEngine } from '../../../../libs/probes/src/engine';
import { runProbe } from '../../../../libs/probes/src/run-probe';
import type { ResultListener } from '../../../../libs/probes/src/result-listener';
import { WatchSet } from './watch-set';
import { ResultRepository } from '../../../../libs/storage/src/result.repository';
import { StateRepository } from '../../../../libs/storage/src/state.repository';
import { ResultWriter } from '../../../../libs/storage/src/result-writer';
import { TargetIds } from '../runtime/target-ids';
import { CHANGE_FEED, CLOCK, CONFIG, DATA_SOURCE, LIVE_STATES, LOGGER, METRICS, REDIS, RESULT_LISTENERS, SETTINGS, TARGET_IDS } from '../runtime/tokens';
import type { LiveStates } from '../runtime/live-states';
import type { Publish } from '../../../../libs/live/src/change-feed';
import { targetChange } from '../../../../libs/live/src/target-change';

/** Wires the probe engine to its schedule inputs (config), coordination (Redis) and outputs. */
@Injectable()
export class ProberService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly engine: ProbeEngine;
  private readonly writer: ResultWriter;
  private readonly membership: RedisMembership;
  private readonly watches: WatchSet;
  /** Probing from several locations: this prober's vantage point votes, the verdict goes on. */
  private readonly board?: RedisLocationBoard;
  private readonly gate?: LocationGate;
  private readonly location?: string;
  private readonly publish: Publish;

  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(REDIS) redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    @Inject(SETTINGS) settings: Settings,
    @Inject(TARGET_IDS) private readonly targetIds: TargetIds,
    @Inject(LIVE_STATES) liveStates: LiveStates,
    @Inject(RESULT_LISTENERS) private readonly listeners: ResultListener[],
    @Inject(CHANGE_FEED) publish: Publish,
  ) {
    this.publish = publish;
    this.location = settings.location;
    this.writer = new ResultWriter(new ResultRepository(ds), logger, {
      flushed: (rows, seconds) => {
        metrics.resultRows.inc(rows);
        metrics.resultFlushSeconds.observe(seconds);
      },
      failed: () => metrics.resultWriteFailures.inc(),
      dropped: (n) => metrics.resultsDropped.inc(n),
    });
    const location = settings.location;
    // Each location shards and claims its own ticks: every location probes every target it is asked to.
    this.membership = new RedisMembership(redis, settings.instanceId, logger, location ? { heartbeatMs: 2000, ttlMs: 6000, key: LOCATION_KEYS.probers(location) } : undefined, clock);
    if (location) {
      this.board = new RedisLocationBoard(redis, location, logger, undefined, clock);
      this.gate = new LocationGate(this.board, clock, logger);
    }
    const states = new StateRepository(ds);
    const cfg = config.get();
    this.engine = new ProbeEngine({
      clock,
      concurrency: cfg.defaults.concurrency,
      // Evenly spread ticks share timer wake-ups: up to 20 ms late, never early (bench/probe-throughput: -40% CPU per probe).
      coalesceMs: 20,
      thresholds: { failure: cfg.defaults.failureThreshold, recovery: cfg.defaults.recoveryThreshold },
      claimer: new RedisTickClaimer(redis, settings.instanceId, location ? `nines:tick@${location}:` : undefined),
      ownership: this.membership,
      seeder: { seed: (keys) => states.seedStates(keys) },
      run: (t) => runProbe(t, clock),
      hooks: {
        onStart: (_t, lagMs) => {
          metrics.queueLag.observe(lagMs / 1000);
          metrics.inFlight.inc();
        },
        onResult: (r, t, state) => {
          metrics.inFlight.dec();
          metrics.recordProbe(t.probe.kind, r.up, r.reason);
          this.confirm(t, r.up, state);
          if (!this.gate) return this.deliver(t, r, state);
          void this.gate.judge(t, r, state).then((j) => {
            if (j.transition) this.changed(t, j.transition, j.state, j.verdict?.down.length ? j.result.reason : undefined);
            if (j.resumed) for (const l of this.listeners) l.resync?.(t);
            if (j.feed) this.deliver(t, j.result, j.state);
          });
        },
        onSkipped: (_t, reason) => metrics.probesSkipped.inc({ reason }),
        onTransition: (t, tr, state) => {
          // With locations this is one vantage point's view; the verdict's change is reported by the gate.
          if (this.location) this.logger.info({ target: t.key, location: this.location, from: tr.from, to: tr.to, reason: state.lastResult?.reason }, `${t.key} is ${tr.to} as seen from ${this.location}`);
          else this.changed(t, tr, state, state.lastResult?.reason);
        },
      },
    });
    liveStates.lookup = this.gate ? (key) => this.gate!.state(key) : (key) => this.engine.state(key);
    this.watches = new WatchSet(logger, clock, (key) => this.membership.owns(key), (target, event) => {
      this.logger.info({ target: target.key, system: target.system, event: event.kind, details: event.details }, event.message);
      for (const l of this.listeners) l.onExternal?.(target, event);
      // Cross-check at once: the poll confirms what the event announced.
      this.engine.probeNow(target.key);
    });
    config.onChange((next) => this.apply(next));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.apply(this.config.get());
    await this.membership.start();
    await this.board?.start();
    this.writer.start();
    this.engine.start();
    this.watches.start();
    this.logger.info({ targets: this.config.get().targets.length }, 'prober started');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watches.stop();
    await this.engine.stop();
    for (const l of this.listeners) await l.drain();
    await this.writer.stop();
    await this.membership.stop();
    this.board?.stop();
  }

  /** A result (the verdict's, with locations) goes on to storage, alerts and topology. */
  private deliver(t: ProbeTarget, r: ProbeResult, state: TargetState): void {
    this.writer.add(r, state);
    for (const l of this.listeners) l.onResult(t, r, state);
  }

  /** A target's state changed (its verdict, with locations): logged once, and shown on open consoles at once. */
  private changed(t: ProbeTarget, tr: Transition, state: TargetState, reason: string | undefined): void {
    const r = state.lastResult;
    const line = { target: t.key, system: t.system, member: t.member, kind: t.probe.kind, from: tr.from, to: tr.to, reason, role: r?.role };
    if (tr.to === 'down') this.logger.warn(line, `${t.key} is down: ${reason ?? 'unknown reason'}`);
    else this.logger.info(line, `${t.key} is ${tr.to}`);
    // Open consoles show it now rather than after the next result flush and target refresh.
    const change = targetChange(t, state, this.clock.now());
    if (change) this.publish(change);
  }

  /**
   * A failure below the failure threshold (or a success below the recovery threshold) is
   * confirmed by probing again at once rather than a whole interval later.
   */
  private confirm(t: ProbeTarget, up: boolean, state: TargetState): void {
    const { failureThreshold, recoveryThreshold } = this.config.get().defaults;
    const confirming = up ? state.status === 'down' && state.consecutiveSuccesses < recoveryThreshold : state.status !== 'down' && state.consecutiveFailures < failureThreshold;
    if (!confirming) return;
    const timer = setTimeout(() => this.engine.probeNow(t.key), Math.min(250, t.intervalMs / 4));
    timer.unref();
  }

  private apply(cfg: NinesConfig): void {
    // The registry sync (bootstrap) ran first and refreshed the ids.
    this.writer.setTargetIds(this.targetIds.ids);
    // A location probes what names it, and what names no location (probed from every one present).
    const here = this.location;
    this.engine.setTargets(here ? cfg.targets.filter((t) => !t.locations || t.locations.includes(here)) : cfg.targets);
    this.gate?.forget(new Set(cfg.targets.map((t) => t.key)));
    this.watches.setTargets(cfg.targets);
    this.metrics.targetsConfigured.reset();
    for (const t of cfg.targets) this.metrics.targetsConfigured.inc({ kind: t.probe.kind });
  }
}
