import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import type { Caller } from '../../../../libs/access/src/caller';
import type { Clock } from '../../../../libs/common/src/clock';
import { parseDuration } from '../../../../libs/common/src/duration';
import { DomainError } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import type { NinesConfig } from '../../../../libs/config/src/config';
import { dueAt, heartbeatAlerts, type HeartbeatDef, type HeartbeatState } from '../../../../libs/heartbeats/src/heartbeat';
import { HeartbeatRepository } from '../../../../libs/heartbeats/src/heartbeat.repository';
import { AlertService } from '../alerting/alert.service';
import { CLOCK, CONFIG, LOGGER } from '../runtime/tokens';

export function heartbeatDefs(c: NinesConfig): HeartbeatDef[] {
  return c.raw.heartbeats.map((h) => ({ name: h.name, periodMs: parseDuration(h.period)!, graceMs: parseDuration(h.grace) ?? 0, labels: h.labels ?? {} }));
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Pushes (api) and the list of heartbeats with their state. */
@Injectable()
export class HeartbeatsService {
  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly repo: HeartbeatRepository,
    private readonly audit: AuditRepository,
  ) {}

  async push(caller: Caller, name: string) {
    const def = heartbeatDefs(this.config.get()).find((h) => h.name === name);
    if (!def) throw new DomainError('not_found', `no heartbeat named ${JSON.stringify(name)} (configure it under heartbeats)`);
    const now = this.clock.now();
    await this.repo.push(name, new Date(now), caller.address);
    await this.audit.record(caller, { action: 'ingest.accepted', target: `heartbeat:${name}`, after: { at: iso(now) } });
    return { heartbeat: name, pushed_at: iso(now), due_by: iso(now + def.periodMs + def.graceMs) };
  }

  async list() {
    const states = await this.repo.states();
    const now = this.clock.now();
    return {
      heartbeats: heartbeatDefs(this.config.get()).map((d) => {
        const s: HeartbeatState = states.get(d.name) ?? { since: now };
        const due = dueAt(d, s);
        return { name: d.name, period_ms: d.periodMs, grace_ms: d.graceMs, labels: d.labels, last_push_at: iso(s.lastPushAt), due_by: iso(due), missing: now >= due };
      }),
    };
  }
}

/**
 * Evaluates every heartbeat once a second on each prober (the alert's compare-and-set makes the
 * change once across replicas), so a missed push fires within period + grace + a second.
 */
@Injectable()
export class HeartbeatMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;
  private warned = 0;

  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly repo: HeartbeatRepository,
    private readonly alerts: AlertService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const ensure = (c: NinesConfig) => this.repo.ensure(c.raw.heartbeats.map((h) => h.name)).catch((err) => this.logger.warn({ err }, 'could not register heartbeats'));
    await ensure(this.config.get());
    this.config.onChange((c) => void ensure(c));
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    const defs = heartbeatDefs(this.config.get());
    if (!defs.length || this.running) return;
    this.running = true;
    try {
      const states = await this.repo.states();
      const now = this.clock.now();
      for (const d of defs) this.alerts.evaluate(`heartbeat:${d.name}`, heartbeatAlerts(d, states.get(d.name) ?? { since: now }, now));
    } catch (err) {
      // PostgreSQL away: no verdict rather than a false one; the next tick tries again.
      if (Date.now() - this.warned > 60_000) {
        this.warned = Date.now();
        this.logger.warn({ err: (err as Error).message }, 'cannot read heartbeats; evaluation paused');
      }
    } finally {
      this.running = false;
    }
  }
}
