import type { CountSource, CutRequest } from '../../slo/src/engine';
import type { SloDefinition } from '../../slo/src/definition';
import type { ExclusionInputs } from '../../slo/src/exclusions';
import type { Registry } from '../../slo/src/selection';
import { computeSloWeek, planSloWeek, sloWeekCutRequests } from './slo-week';
import type { SloWeekInput } from './weekly-model';
import type { SloSource } from './weekly-report';

/** What the SLO engine needs besides counts, as the SLO service loads it. */
export interface SloInputs {
  definitions(): Promise<SloDefinition[]> | SloDefinition[];
  registry(): Promise<Registry>;
  /** Drills, silences and maintenance windows overlapping [from, to). */
  exclusionInputs(from: number, to: number): Promise<ExclusionInputs>;
}

/** Reads counts at the cuts asked for (the SLO rollup repository). */
export interface CountReader {
  counts(requests: CutRequest[]): Promise<CountSource>;
}

/**
 * Every SLO's figures for a report week from the SLO engine: plans for the window at the week's
 * end, a week earlier and the week itself, one read of the rollups for all of them, then the
 * engine's arithmetic.
 */
export class EngineSloSource implements SloSource {
  constructor(
    private readonly inputs: SloInputs,
    private readonly reader: CountReader,
  ) {}

  async forWeek(start: number, end: number): Promise<SloWeekInput[]> {
    const defs = await this.inputs.definitions();
    if (!defs.length) return [];
    // Exclusions as far back as the longest window a week before (a quarter is at most 92 days), plus the 3-day burn window.
    const day = 86_400_000;
    const longest = Math.max(...defs.map((d) => (d.window.kind === 'rolling' ? d.window.ms : 92 * day)));
    const [reg, exclusions] = await Promise.all([this.inputs.registry(), this.inputs.exclusionInputs(end - 7 * day - longest - 3 * day, end)]);
    const plans = defs.map((d) => planSloWeek(d, reg, exclusions, start, end));
    const src = await this.reader.counts(sloWeekCutRequests(plans));
    return plans.map((p) => computeSloWeek(p, src)).sort((a, b) => a.name.localeCompare(b.name));
  }
}
