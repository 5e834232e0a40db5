import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { OPENMETRICS_CONTENT_TYPE, toOpenMetrics, wantsOpenMetrics } from '../../../../libs/metrics/src/openmetrics';
import { Readiness } from './readiness';
import { DATA_SOURCE, METRICS, READINESS } from './tokens';
import { Public } from '../access/requires';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(READINESS) private readonly readiness: Readiness,
    @Inject(METRICS) private readonly metrics: NinesMetrics,
  ) {}

  /** Liveness: the process answers. Never depends on the database. */
  @Get('healthz')
  @Public('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Readiness: database reachable and migrations applied; 503 otherwise. */
  @Get('readyz')
  @Public('readyz')
  async readyz(@Res() res: Response) {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await Promise.race([this.ds.query('select 1'), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000).unref())]);
      checks.database = 'ok';
    } catch {
      checks.database = 'unreachable';
      ready = false;
    }
    checks.migrations = this.readiness.migrated ? 'ok' : 'pending';
    if (!this.readiness.migrated || this.readiness.stopping) ready = false;
    if (this.readiness.stopping) checks.process = 'stopping';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
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
