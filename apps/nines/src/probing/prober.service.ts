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

  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(REDIS) redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) clock: Clock,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    @Inject(SETTINGS) settings: Settings,
    @Inject(TARGET_IDS) private readonly targetIds: TargetIds,
    @Inject(LIVE_STATES) liveStates: LiveStates,
    @Inject(RESULT_LISTENERS) private readonly listeners: ResultListener[],
    @Inject(CHANGE_FEED) publish: Publish,
  ) {
    this.writer = new ResultWriter(new ResultRepository(ds), logger, {
      flushed: (rows, seconds) => {
        metrics.resultRows.inc(rows);
        metrics.resultFlushSeconds.observe(seconds);
      },
      failed: () => metrics.resultWriteFailures.inc(),
      dropped: (n) => metrics.resultsDropped.inc(n),
    });
    this.membership = new RedisMembership(redis, settings.instanceId, logger, undefined, clock);
    const states = new StateRepository(ds);
    const cfg = config.get();
    this.engine = new ProbeEngine({
      clock,
      concurrency: cfg.defaults.concurrency,
      // Evenly spread ticks share timer wake-ups: up to 20 ms late, never early (bench/probe-throughput: -40% CPU per probe).
      coalesceMs: 20,
      thresholds: { failure: cfg.defaults.failureThreshold, recovery: cfg.defaults.recoveryThreshold },
      claimer: new RedisTickClaimer(redis, settings.instanceId),
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
          this.writer.add(r, state);
          for (const l of this.listeners) l.onResult(t, r, state);
          this.confirm(t, r.up, state);
        },
        onSkipped: (_t, reason) => metrics.probesSkipped.inc({ reason }),
        onTransition: (t, tr, state) => {
          const r = state.lastResult;
          const line = { target: t.key, system: t.system, member: t.member, kind: t.probe.kind, from: tr.from, to: tr.to, reason: r?.reason, role: r?.role };
          if (tr.to === 'down') this.logger.warn(line, `${t.key} is down: ${r?.reason ?? 'unknown reason'}`);
          else this.logger.info(line, `${t.key} is ${tr.to}`);
          // Open consoles show it now rather than after the next result flush and target refresh.
          const change = targetChange(t, state, clock.now());
          if (change) publish(change);
        },
      },
    });
    liveStates.lookup = (key) => this.engine.state(key);
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
    this.engine.setTargets(cfg.targets);
    this.watches.setTargets(cfg.targets);
    this.metrics.targetsConfigured.reset();
    for (const t of cfg.targets) this.metrics.targetsConfigured.inc({ kind: t.probe.kind });
  }
}
