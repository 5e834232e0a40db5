import { scheduleSpec, type RawSchedule } from './from-config';
import type { OverrideRepository } from './override.repository';
import { Schedule } from './schedule';

/**
 * Who is on call in each schedule (the config's and the API's), with the API's shift swaps on top: loaded once per dispatch
 * pass (one query a schedule), then answered synchronously by the escalation planner.
 */
export async function loadOnCall(raws: readonly RawSchedule[], overrides: Pick<OverrideRepository, 'forSchedule'>, now: number): Promise<(schedule: string, at: number) => string | null> {
  const schedules = new Map<string, Schedule>();
  for (const raw of raws) {
    const spec = scheduleSpec(raw);
    for (const o of await overrides.forSchedule(raw.name, new Date(now - 86_400_000))) spec.overrides.push({ person: o.person, from: new Date(o.starts_at).getTime(), until: new Date(o.ends_at).getTime() });
    schedules.set(raw.name, new Schedule(spec));
  }
  return (schedule, at) => schedules.get(schedule)?.personAt(at) ?? null;
}
