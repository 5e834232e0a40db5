import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import type { Caller } from '../../../../libs/access/src/caller';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { scheduleSpec } from '../../../../libs/oncall/src/from-config';
import { calendar, type CalendarShift } from '../../../../libs/oncall/src/ical';
import { OverrideRepository, type OverrideRow } from '../../../../libs/oncall/src/override.repository';
import { Schedule, type Shift } from '../../../../libs/oncall/src/schedule';
import { CLOCK, CONFIG } from '../runtime/tokens';
import type { OverrideBody } from './oncall.schemas';

const DAY = 86_400_000;
/** How far a feed looks back and ahead. */
const FEED_PAST = 7 * DAY;
const FEED_AHEAD = 60 * DAY;

const iso = (ms: number) => new Date(ms).toISOString();
const view = (s: Shift | undefined) => (s ? { person: s.person, from: iso(s.from), until: iso(s.until) } : null);

/** Who is on call, schedules and their feeds, and shift swaps over the API (audited). */
@Injectable()
export class OnCallService {
  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly overrides: OverrideRepository,
    private readonly audit: AuditRepository,
  ) {}

  private raw(name: string) {
    const r = this.config.get().raw.schedules.find((s) => s.name === name);
    if (!r) throw new DomainError('not_found', `no schedule named ${JSON.stringify(name)}`);
    return r;
  }

  /** The config's schedule with the API's overrides on top (they win: they are later). */
  async schedule(name: string): Promise<{ schedule: Schedule; apiOverrides: OverrideRow[] }> {
    const spec = scheduleSpec(this.raw(name));
    const apiOverrides = await this.overrides.forSchedule(name, new Date(this.clock.now() - FEED_PAST));
    spec.overrides.push(...apiOverrides.map((o) => ({ person: o.person, from: new Date(o.starts_at).getTime(), until: new Date(o.ends_at).getTime() })));
    return { schedule: new Schedule(spec), apiOverrides };
  }

  async now(name: string) {
    const { schedule } = await this.schedule(name);
    const { now, next } = schedule.onCall(this.clock.now());
    return { schedule: name, now: view(now), next: view(next) };
  }

  list() {
    const c = this.config.get().raw;
    return { schedules: c.schedules.map((s) => ({ name: s.name, timezone: s.timezone, layers: s.layers, overrides: s.overrides })) };
  }

  async get(name: string, days: number) {
    const { schedule, apiOverrides } = await this.schedule(name);
    const t = this.clock.now();
    const r = this.raw(name);
    return {
      name,
      timezone: r.timezone,
      layers: r.layers,
      overrides: [
        ...r.overrides.map((o) => ({ ...o, source: 'config' })),
        ...apiOverrides.map((o) => ({ id: o.id, person: o.person, from: iso(new Date(o.starts_at).getTime()), until: iso(new Date(o.ends_at).getTime()), created_by: o.created_by, source: 'api' })),
      ],
      rota: schedule.shifts(t, t + days * DAY).map(view),
    };
  }

  people() {
    return { people: this.config.get().raw.people };
  }

  policies() {
    return { escalation_policies: this.config.get().raw.escalation_policies };
  }

  async scheduleFeed(name: string): Promise<string> {
    const { schedule } = await this.schedule(name);
    const t = this.clock.now();
    return calendar({ name: `On call: ${name}`, now: t, shifts: schedule.shifts(t - FEED_PAST, t + FEED_AHEAD).map((s) => ({ ...s, schedule: name })) });
  }

  async personFeed(person: string): Promise<string> {
    const c = this.config.get().raw;
    if (!c.people.some((p) => p.name === person)) throw new DomainError('not_found', `no person named ${JSON.stringify(person)}`);
    const t = this.clock.now();
    const shifts: CalendarShift[] = [];
    for (const s of c.schedules) {
      const { schedule } = await this.schedule(s.name);
      for (const sh of schedule.shifts(t - FEED_PAST, t + FEED_AHEAD)) if (sh.person === person) shifts.push({ ...sh, schedule: s.name });
    }
    shifts.sort((a, b) => a.from - b.from);
    return calendar({ name: `On call: ${person}`, now: t, shifts });
  }

  async addOverride(caller: Caller, name: string, b: OverrideBody) {
    this.raw(name);
    if (!this.config.get().raw.people.some((p) => p.name === b.person)) throw new DomainError('bad_request', `unknown person ${JSON.stringify(b.person)}`, { field: 'person' });
    if (b.until <= b.from) throw new DomainError('bad_request', 'until must be after from', { field: 'until' });
    const row = await this.overrides.create({ schedule: name, person: b.person, from: new Date(b.from), until: new Date(b.until), by: caller.actor });
    const after = { id: row.id, schedule: name, person: row.person, from: iso(b.from), until: iso(b.until) };
    await this.audit.record(caller, { action: 'schedule.override.create', target: name, after });
    return after;
  }

  async removeOverride(caller: Caller, name: string, id: number) {
    this.raw(name);
    const row = await this.overrides.remove(name, id);
    const before = { id: row.id, schedule: name, person: row.person, from: iso(new Date(row.starts_at).getTime()), until: iso(new Date(row.ends_at).getTime()) };
    await this.audit.record(caller, { action: 'schedule.override.delete', target: name, before });
    return { deleted: id };
  }
}
