import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { Settings } from '../../../../libs/config/src/settings';
import { AlertRepository } from '../../../../libs/alerting/src/alert.repository';
import { personReceiver, routingFor, type RoutingConfig } from '../../../../libs/alerting/src/routing-config';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { NotifyError, type Channel, type Notifier } from '../../../../libs/notify/src/notification';
import { NotificationRepository, type ClaimedNotification } from '../../../../libs/notify/src/notification.repository';
import { Outbox } from '../../../../libs/notify/src/outbox';
import type { RedisConnections } from '../runtime/redis';
import { CLOCK, CONFIG, LOGGER, METRICS, REDIS_CONNECTIONS, SETTINGS } from '../runtime/tokens';
import { Coalescer } from './coalescer';
import { Lanes, LanesClosedError } from './lanes';
import { DELIVERY_ATTEMPTS, NotificationQueue } from './notification-queue';
import { buildNotifiers, personNotifiers } from './notifiers';
import { QUEUE_PREFIX, QueueName } from './queues';
import { OverrideRepository } from '../../../../libs/oncall/src/override.repository';
import { loadOnCall } from '../../../../libs/oncall/src/on-call-resolver';
import { keyOf, mergeOnCall, type MergedOnCall } from '../../../../libs/oncall/src/api-definitions';
import { OnCallDefinitionRepository } from '../../../../libs/oncall/src/oncall-definition.repository';

const SEND_TIMEOUT_MS = 15_000;
const STALE_SENDING_MS = 60_000;
/**
 * Jobs one worker process takes at once. Far more than any lane runs: a receiver that hangs keeps
 * at most its lane's deliveries in flight and its backlog waiting in its lane, while the other
 * receivers' jobs are still taken and sent.
 */
export const WORKER_CONCURRENCY = 512;
/**
 * Deliveries in flight per receiver and channel (a webhook receiver's undici pool has as many
 * connections; a provider's has 8, well inside the providers' published rate limits).
 */
export const LANE_LIMIT: Record<Channel, number> = { webhook: 32, email: 8, pagerduty: 8, opsgenie: 8, slack: 8, teams: 8, telegram: 8, ntfy: 8, twilio: 8, phone: 8, sms: 8 };
/** A claim that waited in its lane longer than this is renewed before sending (it goes stale at STALE_SENDING_MS). */
const RENEW_CLAIM_AFTER_MS = 10_000;

/**
 * Retries of a receiver that is down come at most this far apart, so a page goes out within about
 * a minute of the receiver's return (DELIVERY_ATTEMPTS keeps retrying for 7.5 to 15 minutes).
 */
export const MAX_BACKOFF_MS = 60_000;

/** Exponential backoff with full jitter, capped; a receiver's Retry-After wins. */
export function backoffMs(attemptsMade: number, err?: Error, random = Math.random): number {
  if (err instanceof NotifyError && err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, 3_600_000);
  const cap = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/**
 * The worker role's delivery stages: the dispatcher flushes due alert groups and escalations
 * into the outbox, the relay (re)enqueues outbox rows Redis may have lost, and the BullMQ worker
 * delivers each notification once and records the outcome.
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker;
  private connection?: Redis;
  private timers: NodeJS.Timeout[] = [];
  private notifiers = new Map<string, Notifier>();
  private routing: RoutingConfig;
  // Claims and outcomes of the deliveries in flight, by group commit (see Coalescer).
  private readonly claims: Coalescer<ClaimedNotification>;
  private readonly sends: Coalescer<Date>;
  private readonly lanes = new Lanes();
  private dispatching = false;
  /** Routes naming an escalation policy that exists neither in the config nor through the API: when last said. */
  private missingPolicySaid = new Map<string, number>();
  private readonly config: ConfigHolder;
  private readonly fallbackUrl: string;
  /** Notifiers of the people made over the API, for the on-call view they were built from. */
  private apiPeople?: { view: MergedOnCall; notifiers: Map<string, Notifier> };

  constructor(
    @Inject(CONFIG) config: ConfigHolder,
    @Inject(SETTINGS) settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections,
    private readonly queue: NotificationQueue,
    private readonly alerts: AlertRepository,
    private readonly log: NotificationRepository,
    private readonly outbox: Outbox,
    private readonly overrides: OverrideRepository,
    private readonly definitions: OnCallDefinitionRepository,
  ) {
    this.claims = new Coalescer(
      (ids) => this.log.claimMany(ids, STALE_SENDING_MS),
      (id) => this.log.claim(id, STALE_SENDING_MS),
      { exclusive: true },
    );
    this.sends = new Coalescer(
      (ids) => this.log.sentMany(ids),
      (id) => this.log.sent(id),
      { exclusive: false },
    );
    this.config = config;
    this.fallbackUrl = `http://${settings.host}:${settings.port}`;
    this.routing = routingFor(config.get(), this.fallbackUrl);
    this.notifiers = buildNotifiers(config.get(), clock);
    config.onChange((c) => {
      this.routing = routingFor(c, this.fallbackUrl);
      const old = this.notifiers;
      this.notifiers = buildNotifiers(c, clock);
      // Deliveries still running on the old notifiers finish first: undici's close() waits for them.
      for (const n of old.values()) void n.close?.();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.connection = this.redis.queue('notifications-worker', { autoPipelining: true });
    this.worker = new Worker(QueueName.Notifications, (job: Job<{ id: string }>, token?: string) => this.process(job, token), {
      connection: this.connection,
      prefix: QUEUE_PREFIX,
      concurrency: WORKER_CONCURRENCY,
      settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => backoffMs(attemptsMade, err) },
    });
    this.worker.on('error', (err) => this.logger.warn({ err }, 'notification worker error'));
    this.worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= DELIVERY_ATTEMPTS && !(err instanceof UnrecoverableError)) void this.giveUp(job.data.id, err);
    });
    this.timers.push(setInterval(() => void this.dispatch(), 200));
    this.timers.push(setInterval(() => void this.relay(), 2000));
    for (const t of this.timers) t.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.lanes.close(); // deliveries waiting in a lane go back to the queue instead of holding up the shutdown
    await this.worker?.close().catch(() => undefined);
    await Promise.all([...this.notifiers.values(), ...(this.apiPeople?.notifiers.values() ?? [])].map((n) => n.close?.()));
    if (this.connection) this.redis.drop(this.connection);
  }

  /** The config's people, schedules and policies with those made over the API (read at most every DEFINITIONS_CACHE_MS). */
  private async onCallView(): Promise<MergedOnCall> {
    return mergeOnCall(this.config.get().raw, await this.definitions.cached());
  }

  /**
   * A route may name a policy made through the API, so the config cannot refuse an unknown name;
   * until one exists its alerts reach the route's receiver only. Said every 10 minutes, by name.
   */
  private sayMissingPolicies(routing: RoutingConfig, now: number): void {
    for (const r of routing.routesById.values()) {
      const name = r.escalationPolicy;
      if (!name || routing.policies.has(name) || now - (this.missingPolicySaid.get(name) ?? -Infinity) < 600_000) continue;
      this.missingPolicySaid.set(name, now);
      this.logger.warn({ escalation_policy: name }, `a route names escalation policy ${JSON.stringify(name)}, which is neither in the config nor made through the API: its alerts reach the route's receiver only`);
    }
  }

  /** Flushes alert groups that are due (group_wait, group_interval, repeat) and escalations. */
  async dispatch(): Promise<void> {
    if (this.dispatching || !this.routing.root) return;
    this.dispatching = true;
    try {
      const now = this.clock.now();
      const view = await this.onCallView();
      const routing = routingFor(this.config.get(), this.fallbackUrl, view);
      this.sayMissingPolicies(routing, now);
      const ids = [...(await this.alerts.flushDue(routing, now)), ...(await this.alerts.escalateDue(routing, now))];
      if (routing.policies.size) ids.push(...(await this.alerts.escalatePolicies(routing, now, await loadOnCall(view.schedules, this.overrides, now))));
      ids.push(...(await this.alerts.propagateAcks(routing, now)));
      await this.outbox.enqueue(ids);
    } catch (err) {
      this.logger.warn({ err }, 'alert dispatch failed');
    } finally {
      this.dispatching = false;
    }
  }

  async relay(): Promise<void> {
    try {
      const ids = await this.log.forRelay(10_000, 500, STALE_SENDING_MS);
      if (ids.length) {
        this.logger.info({ notifications: ids.length }, 'outbox relay: enqueueing notifications not yet delivered');
        // Redis still away: give the rows back at once, so the next pass (2 s) tries again
        // instead of waiting out the relay's 10 s lease. Job ids make a second enqueue harmless.
        if (!(await this.queue.requeue(ids))) await this.log.releaseRelay(ids);
      }
    } catch (err) {
      this.logger.warn({ err }, 'outbox relay failed');
    }
  }

  /** The BullMQ processor: a delivery given back at shutdown returns to the queue without counting as an attempt. */
  private async process(job: Job<{ id: string }>, token?: string): Promise<'sent' | 'skipped'> {
    try {
      return await this.deliver(job.data.id, job.attemptsMade + 1);
    } catch (err) {
      if (!(err instanceof LanesClosedError)) throw err;
      await job.moveToWait(token);
      throw new WaitingError();
    }
  }

  /**
   * Delivers one notification; throws to let BullMQ retry, UnrecoverableError when retrying cannot
   * help. The claimed row waits for room in its receiver's lane; a claim that waited long is
   * renewed before sending, and given up if another claim took the row meanwhile.
   */
  async deliver(id: string, attempt: number): Promise<'sent' | 'skipped'> {
    const n = await this.claims.call(id);
    if (!n) return 'skipped'; // sent, dead, or being sent by another worker right now
    const claimedAt = this.clock.now();
    try {
      return await this.lanes.run(`${n.receiver}/${n.channel}`, LANE_LIMIT[n.channel], async () => {
        if (this.clock.now() - claimedAt > RENEW_CLAIM_AFTER_MS && !(await this.log.renewClaim(id, n.attempts))) return 'skipped';
        return this.send(n, attempt);
      });
    } catch (err) {
      if (err instanceof LanesClosedError) await this.log.releaseClaim(id, n.attempts).catch(() => undefined);
      throw err;
    }
  }

  private async send(n: ClaimedNotification, attempt: number): Promise<'sent' | 'skipped'> {
    const id = n.id;
    const notifier = this.notifiers.get(`${n.receiver}/${n.channel}`) ?? (await this.apiPersonNotifier(`${n.receiver}/${n.channel}`));
    if (!notifier) {
      await this.log.dead(id, `receiver ${n.receiver} has no ${n.channel} channel in the running config`);
      this.metrics.notifications.inc({ receiver: n.receiver, outcome: 'dead' });
      throw new UnrecoverableError('receiver removed');
    }
    try {
      await notifier.send(n.payload, AbortSignal.timeout(SEND_TIMEOUT_MS));
    } catch (err) {
      const e = err instanceof NotifyError ? err : new NotifyError(String((err as Error)?.message ?? err), true);
      if (!e.retryable) {
        await this.log.dead(id, e.message);
        this.metrics.notifications.inc({ receiver: n.receiver, outcome: 'dead' });
        this.logger.error({ notification: id, receiver: n.receiver, channel: n.channel, error: e.message }, `notification to ${n.receiver} dead-lettered: ${e.message}`);
        throw new UnrecoverableError(e.message);
      }
      await this.log.failed(id, e.message);
      this.metrics.notifications.inc({ receiver: n.receiver, outcome: 'failed' });
      this.logger.warn({ notification: id, receiver: n.receiver, channel: n.channel, attempt, error: e.message }, `notification to ${n.receiver} failed, will retry`);
      throw e;
    }
    const sentAt = (await this.sends.call(id)) ?? new Date(this.clock.now());
    this.metrics.notifications.inc({ receiver: n.receiver, outcome: 'sent' });
    if (n.first_alert_at) this.metrics.notificationLatency.observe({ receiver: n.receiver }, Math.max(0, (sentAt.getTime() - new Date(n.first_alert_at).getTime()) / 1000));
    // As Alertmanager's "Notify success": the notification log in PostgreSQL (GET
    // /api/v1/notifications) records every delivery; a log line per success is debug, except
    // when earlier attempts failed and were logged as warnings.
    if (attempt > 1) this.logger.info({ notification: id, receiver: n.receiver, channel: n.channel, attempt }, `notification sent to ${n.receiver} (${n.channel}) after ${attempt} attempts`);
    else if (this.logger.isLevelEnabled('debug')) this.logger.debug({ notification: id, receiver: n.receiver, channel: n.channel, attempt }, `notification sent to ${n.receiver} (${n.channel})`);
    return 'sent';
  }

  /** A person made over the API is paged through notifiers built from the current on-call view, rebuilt when it changes. */
  private async apiPersonNotifier(key: string): Promise<Notifier | undefined> {
    if (!key.startsWith(personReceiver(''))) return undefined;
    const view = await this.onCallView();
    if (this.apiPeople?.view !== view) {
      const old = this.apiPeople?.notifiers;
      const people = view.people.filter((p) => view.fromApi.has(keyOf('person', p.name)));
      this.apiPeople = { view, notifiers: personNotifiers(people, this.config.get(), this.clock) };
      for (const n of old?.values() ?? []) void n.close?.();
    }
    return this.apiPeople.notifiers.get(key);
  }

  private async giveUp(id: string, err: Error): Promise<void> {
    const receiver = await this.log.dead(id, `gave up after ${DELIVERY_ATTEMPTS} attempts: ${err.message}`).catch(() => undefined);
    if (receiver) this.metrics.notifications.inc({ receiver, outcome: 'dead' });
    this.logger.error({ notification: id, error: err.message }, 'notification dead-lettered after all retries');
  }
}
