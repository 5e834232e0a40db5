import { parseDuration } from '../../common/src/duration';
import { Schedule, ScheduleError, type ScheduleSpec } from './schedule';

/** The config's `schedules:` entries, as the YAML has them (libs/config/src/schema.ts). */
export interface RawSchedule {
  name: string;
  timezone: string;
  layers: { rotation: 'daily' | 'weekly' | { every: string }; handoff?: string; start: string; participants: string[]; restrict?: string }[];
  overrides: { person: string; from: string; until: string }[];
}

export interface OnCallIssue {
  path: (string | number)[];
  message: string;
}

export function scheduleSpec(r: RawSchedule): ScheduleSpec {
  return {
    name: r.name,
    timezone: r.timezone,
    layers: r.layers.map((l) => ({
      rotation: typeof l.rotation === 'object' ? { everyMs: parseDuration(l.rotation.every) ?? 0 } : l.rotation,
      handoff: l.handoff,
      start: l.start,
      participants: l.participants,
      restrict: l.restrict,
    })),
    overrides: r.overrides.map((o) => ({ person: o.person, from: Date.parse(o.from), until: Date.parse(o.until) })),
  };
}

/** Compiles every schedule; a problem names its field (`schedules[0].layers[1].handoff`). */
export function compileSchedules(raws: RawSchedule[], people: ReadonlySet<string>): { schedules: Map<string, Schedule>; issues: OnCallIssue[] } {
  const schedules = new Map<string, Schedule>();
  const issues: OnCallIssue[] = [];
  raws.forEach((r, i) => {
    r.layers.forEach((l, j) =>
      l.participants.forEach((p, k) => {
        if (!people.has(p)) issues.push({ path: ['schedules', i, 'layers', j, 'participants', k], message: `unknown person ${JSON.stringify(p)} (define them under people)` });
      }),
    );
    r.overrides.forEach((o, j) => {
      if (!people.has(o.person)) issues.push({ path: ['schedules', i, 'overrides', j, 'person'], message: `unknown person ${JSON.stringify(o.person)}` });
    });
    try {
      schedules.set(r.name, new Schedule(scheduleSpec(r)));
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      issues.push({ path: ['schedules', i, ...err.field.split('.').flatMap((f) => f.split(/\[(\d+)\]/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x)))], message: err.message });
    }
  });
  return { schedules, issues };
}
