import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { evaluateScope } from '../../../../libs/alerting/src/alert';
import { AlertRepository } from '../../../../libs/alerting/src/alert.repository';
import { routingFor, type RoutingConfig } from '../../../../libs/alerting/src/routing-config';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { Outbox } from '../../../../libs/notify/src/outbox';
import { SloAlertStateRepository } from '../../../../libs/slo/src/slo-alert-state.repository';
import { sloAlertSpecs } from '../../../../libs/slo/src/slo-evaluation';
import { CLOCK, CONFIG, DATA_SOURCE, LOGGER, METRICS, SETTINGS } from '../runtime/tokens';
import { SloService } from './slo.service';
import { reportAlertChanges } from '../alerting/alert.service';

export const SLO_ALERTS_LOCK_ID = 7_297_297_007;
export const SLO_ALERT_EVERY_MS = 30_000;

/**
 * Multi-window burn-rate alerts, in the worker role: every 30 s one replica (PostgreSQL advisory
 * lock) evaluates every SLO, turns the pairs that fire into alerts of scope `slo:<name>`, and
 * records the changes — with their notifications — through the alert pipeline.
 */
@Injectable()
export class SloAlertService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private routing: RoutingConfig;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) config: ConfigHolder,
    @Inject(SETTINGS) settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    private readonly slos: SloService,
    private readonly alerts: AlertRepository,
    private readonly states: SloAlertStateRepository,
    private readonly outbox: Outbox,
  ) {
    const fallback = `http://${settings.host}:${settings.port}`;
    this.routing = routingFor(config.get(), fallback);
    config.onChange((c) => {
      this.routing = routingFor(c, fallback);
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), SLO_ALERT_EVERY_MS);
    this.timer.unref();
    setTimeout(() => void this.tick(), 2_000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.runOnce()
      .catch((err) => this.logger.error({ err }, 'SLO burn-rate evaluation failed'))
      .then(() => undefined)
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** One evaluation; returns the notification ids it produced, or undefined when another replica holds the lock. */
  async runOnce(): Promise<string[] | undefined> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      const [{ locked }] = await qr.query('select pg_try_advisory_lock($1) as locked', [SLO_ALERTS_LOCK_ID]);
      if (!locked) return undefined;
      try {
        return await this.evaluateAll(this.clock.now());
      } finally {
        await qr.query('select pg_advisory_unlock($1)', [SLO_ALERTS_LOCK_ID]).catch(() => undefined);
      }
    } finally {
      await qr.release();
    }
  }

  private async evaluateAll(now: number): Promise<string[]> {
    const [reports, states] = await Promise.all([this.slos.evaluateAll(now), this.states.byScope()]);
    const specsByScope = new Map(reports.map((r) => [`slo:${r.plan.def.name}`, sloAlertSpecs(r)]));
    // Scopes of SLOs that no longer exist resolve their alerts.
    for (const scope of states.keys()) if (!specsByScope.has(scope)) specsByScope.set(scope, []);
    const ids: string[] = [];
    for (const [scope, specs] of specsByScope) {
      const known = new Map((states.get(scope) ?? []).map((a) => [a.fingerprint, a]));
      const changes = evaluateScope(known, specs, now);
      if (!changes.length) continue;
      ids.push(...(await this.alerts.record(scope, changes, this.routing, now)));
      reportAlertChanges(changes, this.metrics, this.logger);
    }
    await this.outbox.enqueue(ids);
    return ids;
  }
}
