import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { OPENMETRICS_CONTENT_TYPE, toOpenMetrics, wantsOpenMetrics } from '../../../../libs/metrics/src/openmetrics';
import { Readiness } from './readiness';
import { DATA_SOURCE, METRICS, READINESS, REDIS } from './tokens';
import type Redis from 'ioredis';
import { secretScrubber } from '../../../../libs/common/src/secrets';
import { Public } from '../access/requires';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(READINESS) private readonly readiness: Readiness,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Liveness: the process answers. Never depends on the database. */
  @Get('healthz')
  @Public('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /**
   * Readiness, with each dependency in words: 503 while PostgreSQL cannot be reached (or
   * migrations are pending, or the process is stopping); Redis down is `degraded`, still 200: the
   * API answers and acknowledges without it, and a 503 on every replica at once would take the
   * whole API out of its load balancer for a queue outage.
   */
  @Get('readyz')
  @Public('readyz')
  async readyz(@Res() res: Response) {
    const within = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer within 2 s')), 2000).unref())]);
    const reason = (err: unknown) => {
      const e = err as { code?: string; message?: string };
      return secretScrubber.scrub(e?.code && /^E[A-Z]+$/.test(e.code) && e.code !== 'ENOPRIMARY' ? e.code : (e?.message ?? String(err)).split('\n')[0].slice(0, 200));
    };
    const [pg, redis] = await Promise.allSettled([within(this.ds.query('select 1')), within(this.redis.ping())]);
    const dependencies = {
      postgres: pg.status === 'fulfilled' ? 'up' : `down: ${reason(pg.reason)}`,
      redis: redis.status === 'fulfilled' ? 'up' : `down: ${reason(redis.reason)}`,
    };
    const checks: Record<string, string> = {
      database: pg.status === 'fulfilled' ? 'ok' : 'unreachable',
      redis: redis.status === 'fulfilled' ? 'ok' : 'unreachable',
      migrations: this.readiness.migrated ? 'ok' : 'pending',
    };
    if (this.readiness.stopping) checks.process = 'stopping';
    const ready = pg.status === 'fulfilled' && this.readiness.migrated && !this.readiness.stopping;
    const status = !ready ? 'not ready' : redis.status === 'fulfilled' ? 'ready' : 'degraded';
    res.status(ready ? 200 : 503).json({ status, dependencies, checks });
  }

  @Get('metrics')
  @Public('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Headers('accept') accept: string | undefined, @Res() res: Response) {
    const body = await this.metrics.exposition();
    if (wantsOpenMetrics(accept)) {
      res.setHeader('Content-Type', OPENMETRICS_CONTENT_TYPE);
      res.send(toOpenMetrics(body));
    } else {
      res.setHeader('Content-Type', this.metrics.registry.contentType);
      res.send(body);
    }
  }
}
