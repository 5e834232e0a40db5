import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import { authenticated, type Caller } from '../../../../libs/access/src/caller';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError, limitReached } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { toDefinition, type SloDefinition } from '../../../../libs/slo/src/definition';
import type { SloReport } from '../../../../libs/slo/src/engine';
import { prometheusRules } from '../../../../libs/slo/src/prometheus-rules';
import { reportJson } from '../../../../libs/slo/src/report-json';
import { RollupRepository } from '../../../../libs/slo/src/rollup.repository';
import { selectSeries } from '../../../../libs/slo/src/selection';
import { SloDataRepository } from '../../../../libs/slo/src/slo-data.repository';
import { SloEvaluation } from '../../../../libs/slo/src/slo-evaluation';
import { validateSlo } from '../../../../libs/slo/src/validate';
import { CLOCK, CONFIG, DATA_SOURCE, LOGGER } from '../runtime/tokens';

/** How long an evaluation of every SLO is reused by the API list and /metrics. */
export const SLO_CACHE_MS = 15_000;

/** SLO definitions (config and API) and their numbers, for the API, /metrics and the burn-rate alerts. */
@Injectable()
export class SloService {
  readonly evaluation: SloEvaluation;
  private cache?: { at: number; reports: Promise<SloReport[]> };

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly data: SloDataRepository,
    private readonly audit: AuditRepository,
  ) {
    this.evaluation = new SloEvaluation(this.data, new RollupRepository(ds));
    config.onChange(() => {
      this.cache = undefined;
    });
  }

  async definitions(): Promise<SloDefinition[]> {
    return this.evaluation.definitions(this.config.get());
  }

  /** Every SLO as of now, evaluated at most every SLO_CACHE_MS. */
  current(): Promise<SloReport[]> {
    const now = this.clock.now();
    if (!this.cache || now - this.cache.at >= SLO_CACHE_MS) {
      const reports = this.evaluateAll(now);
      this.cache = { at: now, reports };
      reports.catch((err) => {
        this.logger.warn({ err }, 'SLO evaluation failed');
        if (this.cache?.reports === reports) this.cache = undefined;
      });
    }
    return this.cache.reports;
  }

  async evaluateAll(now: number): Promise<SloReport[]> {
    return this.evaluation.evaluate(await this.definitions(), this.config.get(), now);
  }

  async list(at?: number) {
    const when = at;
    const reports = when === undefined ? await this.current() : await this.evaluateAll(when);
    return { computed_at: new Date(when ?? this.cache?.at ?? this.clock.now()).toISOString(), slos: reports.map(reportJson) };
  }

  async get(name: string, at?: number) {
    const def = (await this.definitions()).find((d) => d.name === name);
    if (!def) throw new DomainError('not_found', `no SLO named ${JSON.stringify(name)}`);
    const when = at ?? this.clock.now();
    const [report] = await this.evaluation.evaluate([def], this.config.get(), when, { daily: () => true });
    return { computed_at: new Date(when).toISOString(), ...reportJson(report) };
  }

  async prometheusRules(): Promise<string> {
    const defs = await this.definitions();
    const registry = await this.data.registry();
    return prometheusRules(defs.map((def) => ({ def, selection: selectSeries(def.selector, registry) })));
  }

  /** Defines an SLO through the API; the config's SLOs cannot be replaced this way. */
  /** A signed-in caller is the SLO's author, whatever created_by the body claims. */
  async create(caller: Caller, body: unknown) {
    const c = this.config.get();
    const b = (body ?? {}) as Record<string, unknown>;
    const claimed = typeof b.created_by === 'string' && b.created_by.trim() ? b.created_by.trim().slice(0, 200) : undefined;
    const createdBy = authenticated(caller) ? caller.actor : claimed;
    const { created_by: _ignored, ...spec } = b;
    const v = validateSlo(spec, {
      targets: new Set(c.targets.map((t) => t.key)),
      systems: new Set(c.systems.map((s) => s.name)),
      timeIntervals: new Set(c.raw.alerting.time_intervals.map((t) => t.name)),
    }, [], c.raw.limits.labels);
    const issues = [...v.issues, ...(createdBy ? [] : [{ path: 'created_by', message: 'is required' }])];
    if (issues.length || !v.slo) throw new DomainError('bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
    if (c.raw.slos.some((s) => s.name === v.slo!.name)) throw new DomainError('conflict', `SLO ${v.slo.name} is defined in the config file; change it there`);
    const stored = await this.data.createDefinition(v.slo, createdBy!, c.raw.limits.api_slos);
    if (stored === 'exists') throw new DomainError('conflict', `an SLO named ${v.slo.name} already exists`);
    if (stored !== 'created') throw limitReached('api_slos', stored.defined, c.raw.limits.api_slos, 'SLOs defined through the API', 'delete one (DELETE /api/v1/slos/:name) or raise limits.api_slos');
    this.cache = undefined;
    await this.audit.record(caller, { action: 'slo.create', target: v.slo.name, after: { ...v.slo, created_by: createdBy } });
    return this.get(toDefinition(v.slo, 'api').name);
  }

  async remove(caller: Caller, name: string) {
    if (this.config.get().raw.slos.some((s) => s.name === name)) throw new DomainError('conflict', `SLO ${name} is defined in the config file; remove it there`);
    const before = (await this.definitions()).find((d) => d.name === name && d.source === 'api');
    if (!(await this.data.deleteDefinition(name))) throw new DomainError('not_found', `no SLO named ${JSON.stringify(name)} was defined through the API`);
    this.cache = undefined;
    await this.audit.record(caller, { action: 'slo.delete', target: name, before });
    return { deleted: name };
  }
}
