import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NinesConfig } from '../../config/src/config';
import { REASON_CLASSES, reasonClass } from './reason-class';

/** Outcomes of nines_notifications_total. */
export const NOTIFICATION_OUTCOMES = ['sent', 'failed', 'dead'] as const;

/**
 * The process's own metrics on an injected registry: engine health (probes run, failed,
 * skipped, scheduling lag), result writes and config reloads. Per-target HA state is added by
 * StateCollector from the shared database.
 */
export class NinesMetrics {
  readonly registry = new Registry();
  readonly probesTotal: Counter<'kind'>;
  readonly probesFailed: Counter<'kind' | 'reason'>;
  readonly probesSkipped: Counter<'reason'>;
  readonly queueLag: Histogram<string>;
  readonly inFlight: Gauge<string>;
  readonly resultRows: Counter<string>;
  readonly resultFlushSeconds: Histogram<string>;
  readonly resultWriteFailures: Counter<string>;
  readonly resultsDropped: Counter<string>;
  readonly resultsBuffered: Gauge<string>;
  readonly configReloads: Counter<'outcome'>;
  readonly selfHeartbeats: Counter<'outcome'>;
  readonly configLastReload: Gauge<string>;
  readonly targetsConfigured: Gauge<'kind'>;
  readonly notifications: Counter<'receiver' | 'outcome'>;
  readonly notificationLatency: Histogram<'receiver'>;
  readonly alertTransitions: Counter<'alertname' | 'transition'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client exports these gauges with a `_total` suffix, which promtool rejects; the
      // same numbers are in nodejs_active_{handles,requests,resources} by type.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    }
    this.probesTotal = new Counter({ name: 'nines_probes_total', help: 'Probes run by this process.', labelNames: ['kind'], registers });
    this.probesFailed = new Counter({ name: 'nines_probes_failed_total', help: 'Probes that failed, by class of reason.', labelNames: ['kind', 'reason'], registers });
    this.probesSkipped = new Counter({
      name: 'nines_probes_skipped_total',
      help: 'Ticks not run: overlap (previous run still in flight), behind (scheduler fell a whole interval behind), claimed_elsewhere (another replica ran it).',
      labelNames: ['reason'],
      registers,
    });
    this.queueLag = new Histogram({
      name: 'nines_probe_queue_lag_seconds',
      help: 'Delay between a probe tick and the probe actually starting (scheduling lag).',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.inFlight = new Gauge({ name: 'nines_probes_in_flight', help: 'Probes running right now in this process.', registers });
    this.resultRows = new Counter({ name: 'nines_result_rows_written_total', help: 'Probe results written to PostgreSQL.', registers });
    this.resultFlushSeconds = new Histogram({
      name: 'nines_result_flush_duration_seconds',
      help: 'Time to write one batch of probe results.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.resultWriteFailures = new Counter({ name: 'nines_result_write_failures_total', help: 'Failed batch writes (retried).', registers });
    this.resultsDropped = new Counter({ name: 'nines_results_dropped_total', help: 'Raw results dropped because the write buffer was full.', registers });
    this.resultsBuffered = new Gauge({ name: 'nines_results_buffered', help: 'Results waiting to be written.', registers });
    this.configReloads = new Counter({ name: 'nines_config_reloads_total', help: 'Config reload attempts.', labelNames: ['outcome'], registers });
    this.selfHeartbeats = new Counter({ name: 'nines_self_heartbeats_total', help: "Pushes of Nines' own heartbeat (self_heartbeat.url) by outcome.", labelNames: ['outcome'], registers });
    this.configLastReload = new Gauge({ name: 'nines_config_last_reload_success_timestamp_seconds', help: 'When the running config was loaded.', registers });
    this.targetsConfigured = new Gauge({ name: 'nines_targets', help: 'Configured probe targets by probe kind.', labelNames: ['kind'], registers });
    this.notifications = new Counter({
      name: 'nines_notifications_total',
      help: 'Notification delivery attempts by outcome: sent, failed (will retry), dead (dead-lettered).',
      labelNames: ['receiver', 'outcome'],
      registers,
    });
    this.notificationLatency = new Histogram({
      name: 'nines_notification_latency_seconds',
      help: 'From an alert firing (or resolving) to its notification being delivered.',
      labelNames: ['receiver'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.alertTransitions = new Counter({ name: 'nines_alert_transitions_total', help: 'Alert state changes.', labelNames: ['alertname', 'transition'], registers });
  }

  private known = { kinds: new Set<string>(), receivers: new Set<string>() };

  /**
   * Exports at 0 every counter series whose labels the config names (probe kinds and their
   * failure reasons, receivers and delivery outcomes), so a panel or an increase() has a series
   * from the first scrape; on a reload, the series of what the config no longer names go away.
   */
  follow(config: NinesConfig): void {
    const kinds = new Set(config.targets.map((t) => t.probe.kind));
    const receivers = new Set((config.raw.alerting?.receivers ?? []).map((r: { name: string }) => r.name));
    for (const kind of this.known.kinds) {
      if (kinds.has(kind)) continue;
      this.probesTotal.remove({ kind });
      for (const reason of REASON_CLASSES) this.probesFailed.remove({ kind, reason });
    }
    for (const receiver of this.known.receivers) {
      if (receivers.has(receiver)) continue;
      for (const outcome of NOTIFICATION_OUTCOMES) this.notifications.remove({ receiver, outcome });
      this.notificationLatency.remove({ receiver });
    }
    for (const kind of kinds) {
      this.probesTotal.inc({ kind }, 0);
      for (const reason of REASON_CLASSES) this.probesFailed.inc({ kind, reason }, 0);
    }
    for (const receiver of receivers) {
      for (const outcome of NOTIFICATION_OUTCOMES) this.notifications.inc({ receiver, outcome }, 0);
      this.notificationLatency.zero({ receiver });
    }
    this.known = { kinds, receivers };
  }

  /** The text exposition. prom-client writes NaN as `Nan`, which the format does not define. */
  async exposition(): Promise<string> {
    return (await this.registry.metrics()).replace(/ Nan$/gm, ' NaN');
  }

  recordProbe(kind: string, up: boolean, reason?: string): void {
    this.probesTotal.inc({ kind });
    if (!up) this.probesFailed.inc({ kind, reason: reasonClass(reason) });
  }
}
