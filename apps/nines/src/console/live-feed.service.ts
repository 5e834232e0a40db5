import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { CHANGE_FEED_CHANNEL, parseChange, type Change } from '../../../../libs/live/src/change-feed';
import type { RedisConnections } from '../runtime/redis';
import { LOGGER, REDIS_CONNECTIONS } from '../runtime/tokens';
import type { TargetCard } from '../../../../libs/console/src/cards';
import { OverviewService } from './overview.service';

interface Client {
  res: Response;
  closeTimer: NodeJS.Timeout;
}

/** Coalesce a burst of commits (a failover touches a system several times in a few ms) into one push. */
const FLUSH_DELAY_MS = 20;
/** Standalone targets' latency changes with every probe: sent as a diff at this pace, never per probe. */
const TARGET_REFRESH_MS = 5000;
const KEEPALIVE_MS = 15_000;
/** A stream is re-authorised by reconnecting: a revoked token or an ended session loses it within this. */
const STREAM_LIFETIME_MS = 10 * 60_000;

/**
 * Server-sent events for open consoles. Fed by the change feed on Redis (every topology commit
 * and incident change, from whichever replica made it): a named system is read once from the
 * database and pushed to every console, however many are open. Nothing is read while no
 * console is connected.
 */
@Injectable()
export class LiveFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private sub?: Redis;
  private readonly clients = new Set<Client>();
  private dirtySystems = new Set<string>();
  private dirtyIncidents = new Set<number>();
  /** The earliest recorded-at of what is waiting, sent along so a console can tell its latency. */
  private firstAt?: number;
  private flushTimer?: NodeJS.Timeout;
  private flushing = Promise.resolve();
  private targetTimer?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;
  private lastTargets = new Map<string, string>();
  /** When each target's state last changed as announced by a prober: older database rows are not news. */
  private announcedSince = new Map<string, number>();

  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly overview: OverviewService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.sub = this.connections.subscriber('console-changes');
    this.sub.on('message', (_ch, text: string) => {
      const c = parseChange(text);
      if (c) this.changed(c);
    });
    await this.sub.subscribe(CHANGE_FEED_CHANNEL).catch((err) => this.logger.warn({ err }, 'cannot subscribe to the change feed: consoles will not update live'));
    this.keepalive = setInterval(() => this.broadcast(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.keepalive);
    clearInterval(this.targetTimer);
    clearTimeout(this.flushTimer);
    for (const c of this.clients) this.drop(c);
    if (this.sub) this.connections.drop(this.sub);
  }

  /** Opens a stream: the snapshot first (so nothing falls between a fetch and the subscription), then changes. */
  async attach(req: Request, res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const client: Client = { res, closeTimer: setTimeout(() => this.drop(client), STREAM_LIFETIME_MS) };
    this.clients.add(client);
    req.on('close', () => this.drop(client));
    if (!this.targetTimer) {
      this.targetTimer = setInterval(() => void this.refreshTargets(), TARGET_REFRESH_MS);
      this.targetTimer.unref();
    }
    try {
      const snap = await this.overview.snapshot();
      if (this.lastTargets.size === 0) for (const t of snap.targets) this.lastTargets.set(t.name, targetSig(t));
      send(res, 'snapshot', snap);
    } catch (err) {
      this.logger.warn({ err }, 'console stream: cannot read the overview');
      send(res, 'problem', { message: 'cannot read the overview now (database unreachable?); retrying' });
      this.drop(client);
    }
  }

  get connected(): number {
    return this.clients.size;
  }

  private drop(c: Client): void {
    if (!this.clients.delete(c)) return;
    clearTimeout(c.closeTimer);
    c.res.end();
    if (!this.clients.size) {
      clearInterval(this.targetTimer);
      this.targetTimer = undefined;
      this.lastTargets.clear();
      this.announcedSince.clear();
    }
  }

  private changed(c: Change): void {
    if (!this.clients.size) return;
    if (c.kind === 'system') this.dirtySystems.add(c.name);
    else if (c.kind === 'incident') this.dirtyIncidents.add(c.id);
    else if (c.kind === 'target') return this.targetChanged(c.card, c.at);
    else return this.broadcast(frame('silences', { at: c.at }));
    this.firstAt = Math.min(this.firstAt ?? c.at, c.at);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, FLUSH_DELAY_MS);
  }

  private async flush(): Promise<void> {
    const systems = [...this.dirtySystems];
    const incidents = [...this.dirtyIncidents];
    const recordedAt = this.firstAt;
    this.dirtySystems = new Set();
    this.dirtyIncidents = new Set();
    this.firstAt = undefined;
    try {
      const cards = (await Promise.all(incidents.map((id) => this.overview.incident(id)))).filter((x) => !!x);
      // An incident opening or closing changes the badge of every system in it.
      const names = new Set([...systems, ...cards.flatMap((i) => i.systems)]);
      const open = await this.overview.openIncidents();
      const systemCards = await this.overview.systemCards([...names], open);
      if (cards.length) this.broadcast(frame('incidents', { recorded_at: recordedAt, incidents: cards }));
      if (systemCards.length) this.broadcast(frame('systems', { recorded_at: recordedAt, systems: systemCards }));
    } catch (err) {
      this.logger.warn({ err }, 'console stream: cannot read what changed; the consoles catch up at the next change');
    }
  }

  /** A prober's announcement carries the card: pushed as it is, no database read. */
  private targetChanged(card: TargetCard, at: number): void {
    this.lastTargets.set(card.name, targetSig(card));
    this.announcedSince.set(card.name, card.since ? Date.parse(card.since) : at);
    this.broadcast(frame('targets', { recorded_at: at, targets: [card] }));
  }

  private async refreshTargets(): Promise<void> {
    try {
      const targets = (await this.overview.targetCards()).filter((t) => !this.olderThanAnnounced(t));
      const changed = targets.filter((t) => this.lastTargets.get(t.name) !== targetSig(t));
      for (const t of changed) this.lastTargets.set(t.name, targetSig(t));
      if (changed.length) this.broadcast(frame('targets', { targets: changed }));
    } catch (err) {
      this.logger.debug({ err }, 'console stream: cannot refresh targets');
    }
  }

  /** A row not yet flushed when the prober announced the change would show the old state again. */
  private olderThanAnnounced(t: TargetCard): boolean {
    const announced = this.announcedSince.get(t.name);
    if (announced === undefined) return false;
    const since = t.since ? Date.parse(t.since) : 0;
    if (since >= announced) {
      this.announcedSince.delete(t.name);
      return false;
    }
    return true;
  }

  private broadcast(text: string): void {
    for (const c of this.clients) c.res.write(text);
  }
}

/** What a console would notice: state, reason, and latency to the nearest millisecond. */
const targetSig = (t: TargetCard) => `${t.state}|${t.reason ?? ''}|${t.latency_ms === null ? '' : Math.round(t.latency_ms)}`;

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function send(res: Response, event: string, data: unknown): void {
  res.write(frame(event, data));
}
