import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { DrillRepository } from '../../../../libs/incidents/src/drill.repository';
import { IncidentQuery } from '../../../../libs/incidents/src/incident.query';
import { SilenceRepository } from '../../../../libs/silences/src/silence.repository';
import type { SloDefinition } from '../../../../libs/slo/src/definition';
import { RollupRepository } from '../../../../libs/slo/src/rollup.repository';
import { SloDataRepository } from '../../../../libs/slo/src/slo-data.repository';
import { SloEvaluation } from '../../../../libs/slo/src/slo-evaluation';
import { renderStatusPage, STATUS_DAYS, type StatusMaintenance, type StatusView } from '../../../../libs/status/src/status-page';
import { TopologyRepository } from '../../../../libs/topology/src/topology.repository';
import { CLOCK, CONFIG, DATA_SOURCE } from '../runtime/tokens';

/** An open page anyone can reload: one evaluation serves every visitor for this long. */
export const STATUS_CACHE_MS = 30_000;
/** Planned maintenance this far ahead is announced. */
const ANNOUNCE_AHEAD_MS = 7 * 86_400_000;

/** The public status page's numbers: the published systems only, in words a customer reads. */
@Injectable()
export class StatusService {
  private readonly evaluation: SloEvaluation;
  private cache?: { at: number; html: Promise<string> };

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    data: SloDataRepository,
    private readonly topology: TopologyRepository,
    private readonly incidents: IncidentQuery,
    private readonly drills: DrillRepository,
    private readonly silences: SilenceRepository,
  ) {
    this.evaluation = new SloEvaluation(data, new RollupRepository(ds));
    config.onChange(() => {
      this.cache = undefined;
    });
  }

  /** The page, or 404 while `status_page.enabled` is false. */
  page(): Promise<string> {
    if (!this.config.get().raw.status_page.enabled) throw new NotFoundException('the status page is not enabled');
    const now = this.clock.now();
    if (!this.cache || now - this.cache.at >= STATUS_CACHE_MS) {
      const html = this.view(now).then(renderStatusPage);
      this.cache = { at: now, html };
      html.catch(() => {
        if (this.cache?.html === html) this.cache = undefined;
      });
    }
    return this.cache.html;
  }

  async view(now: number): Promise<StatusView> {
    const c = this.config.get();
    const { title, systems: published } = c.raw.status_page;
    const shown = new Set(published);
    // Each system as an SLO over 90 days (any member up counts), drills and maintenance excluded.
    const defs: SloDefinition[] = published.map((system) => ({
      name: `status:${system}`,
      selector: { system },
      sli: { kind: 'availability' },
      objective: 99.9,
      window: { kind: 'rolling', ms: STATUS_DAYS * 86_400_000, label: `${STATUS_DAYS}d` },
      timezone: 'UTC',
      exclude: { drills: true, maintenance: true, silenced: false, maintenanceWindows: [] },
      labels: {},
      source: 'config',
    }));
    const [reports, topologies, open, drills, silences] = await Promise.all([
      this.evaluation.evaluate(defs, c, now, { daily: () => true }),
      this.topology.loadMany(published),
      this.incidents.list({ state: 'open', limit: 200 }),
      this.drills.list(),
      this.silences.list(),
    ]);
    const maintenance: StatusMaintenance[] = [
      ...drills.filter((d) => d.ended_at === null && shown.has(d.system)).map((d) => ({ kind: 'drill' as const, systems: [d.system], start: d.started_at.getTime(), end: null })),
      // A silence naming a published system (system="X") is that system's planned maintenance.
      ...silences
        .filter((s) => s.status !== 'expired' && s.starts_at.getTime() <= now + ANNOUNCE_AHEAD_MS)
        .map((s) => ({ s, systems: s.matchers.filter((m) => m.name === 'system' && m.op === '=' && shown.has(m.value)).map((m) => m.value) }))
        .filter((x) => x.systems.length)
        .map(({ s, systems }) => ({ kind: 'planned' as const, systems, start: s.starts_at.getTime(), end: s.ends_at.getTime() })),
    ].sort((a, b) => a.start - b.start);
    return {
      title,
      now,
      systems: published.map((name, i) => {
        const r = reports[i];
        return {
          name,
          healthy: topologies.get(name)?.healthy,
          availability: r.numbers.sli,
          daily: (r.daily ?? []).slice(-STATUS_DAYS).map((d) => ({ day: d.day, availability: d.numbers.sli })),
        };
      }),
      incidents: open
        .filter((i) => !i.drill)
        .map((i) => ({ severity: i.severity, acknowledged: i.acknowledged_at !== null, openedAt: new Date(i.opened_at).getTime(), systems: published.filter((s) => i.systems.includes(s)) }))
        .filter((i) => i.systems.length),
      maintenance,
    };
  }
}
