import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { evaluateScope, type AlertChange, type AlertSpec, type AlertStatus } from '../../../../libs/alerting/src/alert';
import { AlertRepository, StaleAlertError } from '../../../../libs/alerting/src/alert.repository';
import { routingFor, type RoutingConfig } from '../../../../libs/alerting/src/routing-config';
import { systemAlerts, targetAlerts } from '../../../../libs/alerting/src/rules';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { Outbox } from '../../../../libs/notify/src/outbox';
import { TAKEN_OVER_AFTER_INTERVALS } from '../../../../libs/probes/src/engine';
import type { ProbeTarget } from '../../../../libs/probes/src/target';
import type { TargetState } from '../../../../libs/probes/src/target-state';
import type { SystemEvaluation, TopologyListener } from '../../../../libs/topology/src/listener';
import type { ResultListener } from '../../../../libs/probes/src/result-listener';
import type { ProbeResult } from '../../../../libs/probes/src/observation';
import { CLOCK, CONFIG, LOGGER, METRICS, SETTINGS } from '../runtime/tokens';

interface Scope {
  alerts?: Map<string, AlertStatus>;
  /** When this replica last evaluated the scope. */
  evaluatedAt?: number;
  chain: Promise<void>;
}

/** Systems are folded on every member's observation; a replica silent on one this long reads it anew. */
const SYSTEM_SCOPE_FRESH_MS = 15_000;

/**
 * Evaluates the built-in alerts of the targets and systems this prober owns, right where the
 * observations arrive: a change is recorded (with its notification, when the group is due at
 * once) in one transaction and enqueued immediately — one hop from probe to receiver.
 */
@Injectable()
export class AlertService implements OnApplicationShutdown, TopologyListener, ResultListener {
  private scopes = new Map<string, Scope>();
  private routing: RoutingConfig;

  constructor(
    @Inject(CONFIG) config: ConfigHolder,
    @Inject(SETTINGS) settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    private readonly repo: AlertRepository,
    private readonly outbox: Outbox,
  ) {
    const fallback = `http://${settings.host}:${settings.port}`;
    this.routing = routingFor(config.get(), fallback);
    config.onChange((c) => {
      this.routing = routingFor(c, fallback);
    });
  }

  /** Target alerts from each probe result (the prober's hand-off). */
  onResult(t: ProbeTarget, _r: ProbeResult, s: TargetState): void {
    this.onTarget(t, s);
  }

  /** The target's (and its system's) alerts are read from the database at their next evaluation. */
  resync(t: ProbeTarget): void {
    for (const key of [`target:${t.key}`, ...(t.system !== undefined ? [`system:${t.system}`] : [])]) {
      const sc = this.scopes.get(key);
      if (sc) sc.chain = sc.chain.then(() => void (sc.alerts = undefined));
    }
  }

  onTarget(t: ProbeTarget, s: TargetState): void {
    const now = this.clock.now();
    // A replica that has not probed the target for a while (it belonged to another) reads its alerts anew.
    this.evaluateScope(`target:${t.key}`, targetAlerts(t, s, now), now, TAKEN_OVER_AFTER_INTERVALS * t.intervalMs);
  }

  onSystemEvaluated(ctx: SystemEvaluation): void {
    const now = this.clock.now();
    this.evaluateScope(`system:${ctx.shape.name}`, systemAlerts({ ...ctx, now }), now, SYSTEM_SCOPE_FRESH_MS);
  }

  /** Alerts computed elsewhere (heartbeats): one scope, evaluated and recorded like the rest. */
  evaluate(scope: string, specs: AlertSpec[]): void {
    this.evaluateScope(scope, specs, this.clock.now(), SYSTEM_SCOPE_FRESH_MS);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.scopes.values()].map((s) => s.chain));
  }

  /** The prober drains after its last observations; an api-only replica (ingested alerts) drains here. */
  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  /**
   * Evaluates one scope's alerts against what this replica last knew of them, and records the
   * changes by compare-and-set. The known states are read anew when this replica has not evaluated
   * the scope for `freshMs` (its target was another replica's meanwhile), and when the write finds
   * that another replica changed an alert since (a system whose members several replicas probe);
   * then the evaluation runs once more on what is stored.
   */
  private evaluateScope(scope: string, specs: AlertSpec[], now: number, freshMs: number): void {
    let s = this.scopes.get(scope);
    if (!s) {
      s = { chain: Promise.resolve() };
      this.scopes.set(scope, s);
    }
    const sc = s;
    sc.chain = sc.chain
      .then(async () => {
        if (sc.alerts && sc.evaluatedAt !== undefined && now - sc.evaluatedAt > freshMs) sc.alerts = undefined;
        sc.evaluatedAt = now;
        for (let attempt = 0; ; attempt++) {
          const known = sc.alerts ?? new Map((await this.repo.loadScope(scope)).map((a) => [a.fingerprint, a]));
          const working = new Map(known);
          const changes = evaluateScope(working, specs, now);
          if (!changes.length) {
            sc.alerts = working;
            return;
          }
          let ids: string[];
          try {
            ids = await this.repo.record(scope, changes, this.routing, now);
          } catch (err) {
            sc.alerts = undefined;
            if (err instanceof StaleAlertError && attempt === 0) {
              this.logger.debug({ scope, fingerprint: err.fingerprint }, 'alert changed by another replica: evaluating again on the stored state');
              continue;
            }
            throw err;
          }
          sc.alerts = working;
          reportAlertChanges(changes, this.metrics, this.logger);
          await this.outbox.enqueue(ids);
          return;
        }
      })
      .catch((err) => {
        this.logger.error({ err, scope }, 'alert evaluation failed');
        sc.alerts = undefined; // reload from the database next time
      });
  }
}

/** Counts and logs recorded alert changes: a line for each firing and resolved, as they are news to a person. */
export function reportAlertChanges(changes: AlertChange[], metrics: NinesMetrics, logger: Logger): void {
  for (const c of changes) {
    for (const t of c.transitions) metrics.alertTransitions.inc({ alertname: c.status.labels.alertname ?? '', transition: t });
    if (c.transitions.includes('firing') || c.transitions.includes('resolved'))
      logger.info({ alert: c.status.labels.alertname, fingerprint: c.status.fingerprint, labels: c.status.labels, transitions: c.transitions }, `alert ${c.transitions.join('+')}: ${c.status.annotations.summary}`);
  }
}
