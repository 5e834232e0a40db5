import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { SloCollector } from '../../../../libs/metrics/src/slo-collector';
import type { NinesMetrics } from '../../../../libs/metrics/src/metrics';
import { METRICS } from '../runtime/tokens';
import { SloService } from './slo.service';

/** Registers the nines_slo_* series on this api process's registry, fed by the cached evaluation. */
@Injectable()
export class SloMetricsService implements OnModuleInit {
  constructor(
    @Inject(METRICS) private readonly metrics: NinesMetrics,
    private readonly slos: SloService,
  ) {}

  onModuleInit(): void {
    new SloCollector(() => this.slos.current(), this.metrics.registry);
  }
}
