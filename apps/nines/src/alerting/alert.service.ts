import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { evaluate, fingerprint, type AlertSpec, type AlertStatus, type Transition } from '../../../../libs/alerting/src/alert';
import { AlertRepository } from '../../../../libs/alerting/src/alert.repository';
import { compileRouting, type RoutingConfig } from '../../../../libs/alerting/src/routing-config';
import { systemAlerts, targetAlerts, type SystemAlertContext } from '../../../../libs/alerting/src/rules';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { NotificationRepository } from '../../../../libs/notify/src/notification.repository';
import type { ProbeTarget } from '../../../../libs/probes/src/target';
import type { TargetState } from '../../../../libs/probes/src/target-state';
import { NotificationQueue } from '../delivery/notification-queue';
import { CLOCK, CONFIG, DATA_SOURCE, LOGGER, METRICS, SETTINGS } from '../runtime/tokens';

interface Scope {
  alerts?: Map<string, AlertStatus>;
  chain: Promise<void>;
}

/**
 * Evaluates the built-in alerts of the targets and systems this prober owns, right where the
 * observations arrive: a change is recorded (with its notification, when the group is due at
 * once) in one transaction and enqueued immediately — one hop from probe to receiver.
 */
@Injectable()
export class AlertService {
  private readonly repo: AlertRepository;
  private readonly log: NotificationRepository;
  private scopes = new Map<string, Scope>();
  private routing: RoutingConfig;

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(CONFIG) config: ConfigHolder,
    @Inject(SETTINGS) settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    private readonly queue: NotificationQueue,
  ) {
    this.repo = new AlertRepository(ds);
    this.log = new NotificationRepository(ds);
    const fallback = `http://${settings.host}:${settings.port}`;
    this.routing = compileRouting(config.get(), fallback);
    config.onChange((c) => {
      this.routing = compileRouting(c, fallback);
    });
  }

  onTarget(t: ProbeTarget, s: TargetState): void {
    const now = this.clock.now();
    this.evaluateScope(`target:${t.key}`, targetAlerts(t, s, now), now);
  }

  onSystem(ctx: Omit<SystemAlertContext, 'now'>): void {
    const now = this.clock.now();
    this.evaluateScope(`system:${ctx.shape.name}`, systemAlerts({ ...ctx, now }), now);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.scopes.values()].map((s) => s.chain));
  }

  private evaluateScope(scope: string, specs: AlertSpec[], now: number): void {
    let s = this.scopes.get(scope);
    if (!s) {
      s = { chain: Promise.resolve() };
      this.scopes.set(scope, s);
    }
    const sc = s;
    sc.chain = sc.chain
      .then(async () => {
        if (!sc.alerts) sc.alerts = new Map((await this.repo.loadScope(scope)).map((a) => [a.fingerprint, a]));
        const changes: { status: AlertStatus; transitions: Transition[] }[] = [];
        const seen = new Set<string>();
        for (const spec of specs) {
          const fp = fingerprint(spec.labels);
          seen.add(fp);
          const { next, transitions } = evaluate(sc.alerts.get(fp), spec, now, undefined, fp);
          if (next) sc.alerts.set(fp, next);
          if (transitions.length && next) changes.push({ status: next, transitions });
        }
        for (const [fp, prev] of sc.alerts) {
          if (seen.has(fp)) continue;
          const { next, transitions } = evaluate(prev, undefined, now);
          if (next) sc.alerts.set(fp, next);
          if (transitions.length && next) changes.push({ status: next, transitions });
        }
        if (!changes.length) return;
        const ids = await this.repo.record(scope, changes, this.routing, now);
        for (const c of changes) {
          for (const t of c.transitions) this.metrics.alertTransitions.inc({ alertname: c.status.labels.alertname ?? '', transition: t });
          if (c.transitions.includes('firing') || c.transitions.includes('resolved'))
            this.logger.info({ alert: c.status.labels.alertname, fingerprint: c.status.fingerprint, labels: c.status.labels, transitions: c.transitions }, `alert ${c.transitions.join('+')}: ${c.status.annotations.summary}`);
        }
        if (ids.length && (await this.queue.enqueue(ids))) await this.log.markEnqueued(ids);
      })
      .catch((err) => {
        this.logger.error({ err, scope }, 'alert evaluation failed');
        sc.alerts = undefined; // reload from the database next time
      });
  }
}
