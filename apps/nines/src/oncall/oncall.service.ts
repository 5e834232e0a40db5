import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import type { Caller } from '../../../../libs/access/src/caller';
import type { Clock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { KIND_WORDS, SECTION, keyOf, mergeOnCall, referrersOf, validateDefinition, type MergedOnCall, type OnCallKind } from '../../../../libs/oncall/src/api-definitions';
import { scheduleSpec } from '../../../../libs/oncall/src/from-config';
import { OnCallDefinitionRepository } from '../../../../libs/oncall/src/oncall-definition.repository';
import { calendar, type CalendarShift } from '../../../../libs/oncall/src/ical';
import { OverrideRepository, type OverrideRow } from '../../../../libs/oncall/src/override.repository';
import { Schedule, type Shift } from '../../../../libs/oncall/src/schedule';
import { CLOCK, CONFIG } from '../runtime/tokens';
import type { AuditAction } from '../../../../libs/access/src/audit.repository';
import type { OverrideBody } from './oncall.schemas';

const DAY = 86_400_000;
/** How far a feed looks back and ahead. */
const FEED_PAST = 7 * DAY;
const FEED_AHEAD = 60 * DAY;

const iso = (ms: number) => new Date(ms).toISOString();
const view = (s: Shift | undefined) => (s ? { person: s.person, from: iso(s.from), until: iso(s.until) } : null);

const AUDIT: Record<OnCallKind, Record<'create' | 'update' | 'delete', AuditAction>> = {
  person: { create: 'person.create', update: 'person.update', delete: 'person.delete' },
  schedule: { create: 'schedule.create', update: 'schedule.update', delete: 'schedule.delete' },
  escalation_policy: { create: 'escalation_policy.create', update: 'escalation_policy.update', delete: 'escalation_policy.delete' },
};

const quoted = (kind: OnCallKind, name: string) => `${KIND_WORDS[kind]} ${JSON.stringify(name)}`;

/**
 * Who is on call, schedules and their feeds, shift swaps, and people, schedules and escalation
 * policies made over the API beside the config's (read-only here); every write audited.
 */
@Injectable()
export class OnCallService {
  constructor(
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly overrides: OverrideRepository,
    private readonly audit: AuditRepository,
    private readonly definitions: OnCallDefinitionRepository,
  ) {}

  /** The config's people, schedules and policies with the API's (read at most every DEFINITIONS_CACHE_MS; at once after a write here). */
  private async view(): Promise<MergedOnCall> {
    return mergeOnCall(this.config.get().raw, await this.definitions.cached());
  }

  private async raw(name: string) {
    const r = (await this.view()).schedules.find((s) => s.name === name);
    if (!r) throw new DomainError('not_found', `no schedule named ${JSON.stringify(name)}`);
    return r;
  }

  /** The schedule with the API's overrides on top (they win: they are later). */
  async schedule(name: string): Promise<{ schedule: Schedule; apiOverrides: OverrideRow[] }> {
    const spec = scheduleSpec(await this.raw(name));
    const apiOverrides = await this.overrides.forSchedule(name, new Date(this.clock.now() - FEED_PAST));
    spec.overrides.push(...apiOverrides.map((o) => ({ person: o.person, from: new Date(o.starts_at).getTime(), until: new Date(o.ends_at).getTime() })));
    return { schedule: new Schedule(spec), apiOverrides };
  }

  async now(name: string) {
    const { schedule } = await this.schedule(name);
    const { now, next } = schedule.onCall(this.clock.now());
    return { schedule: name, now: view(now), next: view(next) };
  }

  async list() {
    const v = await this.view();
    return { schedules: v.schedules.map((s) => ({ name: s.name, timezone: s.timezone, layers: s.layers, overrides: s.overrides, ...this.origin(v, 'schedule', s.name) })) };
  }

  async get(name: string, days: number) {
    const { schedule, apiOverrides } = await this.schedule(name);
    const t = this.clock.now();
    const v = await this.view();
    const r = await this.raw(name);
    return {
      name,
      ...this.origin(v, 'schedule', name),
      timezone: r.timezone,
      layers: r.layers,
      overrides: [
        ...r.overrides.map((o) => ({ ...o, source: 'config' })),
        ...apiOverrides.map((o) => ({ id: o.id, person: o.person, from: iso(new Date(o.starts_at).getTime()), until: iso(new Date(o.ends_at).getTime()), created_by: o.created_by, source: 'api' })),
      ],
      rota: schedule.shifts(t, t + days * DAY).map(view),
    };
  }

  async people() {
    const v = await this.view();
    return { people: v.people.map((p) => ({ ...p, ...this.origin(v, 'person', p.name) })) };
  }

  async policies() {
    const v = await this.view();
    return { escalation_policies: v.escalation_policies.map((p) => ({ ...p, ...this.origin(v, 'escalation_policy', p.name) })) };
  }

  /** Where an entry comes from: the config file, or the API (with who made and last changed it). */
  private origin(v: MergedOnCall, kind: OnCallKind, name: string) {
    const d = v.fromApi.get(keyOf(kind, name));
    return d ? { source: 'api' as const, created_at: d.created_at, created_by: d.created_by, updated_at: d.updated_at, updated_by: d.updated_by } : { source: 'config' as const };
  }

  /** One person or escalation policy (a schedule's own GET shows its rota too). */
  async entry(kind: OnCallKind, name: string) {
    const v = await this.view();
    const e = (v[SECTION[kind]] as { name: string }[]).find((x) => x.name === name);
    if (!e) throw new DomainError('not_found', `no ${KIND_WORDS[kind]} named ${JSON.stringify(name)}`);
    return { ...e, ...this.origin(v, kind, name) };
  }

  private inConfig(kind: OnCallKind, name: unknown): boolean {
    return (this.config.get().raw[SECTION[kind]] as { name: string }[]).some((e) => e.name === name);
  }

  private readOnly(kind: OnCallKind, name: string, verb: string): DomainError {
    return new DomainError('conflict', `${quoted(kind, name)} is defined in the config file and cannot be ${verb} through the API; change it there`, { source: 'config' });
  }

  /** The config's checks on an entry given to the API: a 400 naming each field and why. */
  private validate(kind: OnCallKind, input: unknown, current: Parameters<typeof validateDefinition>[3]) {
    const v = validateDefinition(kind, input, this.config.get().raw, current);
    if (!v.spec) {
      const issues = v.issues.map((i) => ({ field: i.path, reason: i.message }));
      throw new DomainError('bad_request', issues.map((i) => `${i.field}: ${i.reason}`).join('; '), { field: issues[0].field, issues });
    }
    return v.spec;
  }

  /** Makes a person, schedule or escalation policy (the config's YAML shape); a name the config or the API has already is a 409. */
  async create(caller: Caller, kind: OnCallKind, body: unknown) {
    const claimed = (body as { name?: unknown } | null)?.name;
    if (this.inConfig(kind, claimed)) throw new DomainError('conflict', `${quoted(kind, String(claimed))} is defined in the config file; a name cannot be in both`, { source: 'config' });
    let after: object | undefined;
    await this.definitions.write((current) => {
      const spec = this.validate(kind, body, current);
      if (current.some((d) => d.kind === kind && d.name === spec.name)) throw new DomainError('conflict', `${quoted(kind, spec.name)} already exists; change it with PUT`);
      after = spec;
      return { op: 'insert', kind, name: spec.name, spec, by: caller.actor };
    });
    const name = (after as { name: string }).name;
    await this.audit.record(caller, { action: AUDIT[kind].create, target: name, after });
    return this.entry(kind, name);
  }

  /** Replaces an entry made over the API with the body (its name is the path's). */
  async update(caller: Caller, kind: OnCallKind, name: string, body: unknown) {
    if (this.inConfig(kind, name)) throw this.readOnly(kind, name, 'changed');
    const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    if (b?.name !== undefined && b.name !== name) throw new DomainError('bad_request', `name: must be ${JSON.stringify(name)}, the name in the path (an entry cannot be renamed)`, { field: 'name', issues: [{ field: 'name', reason: 'must match the name in the path' }] });
    let after: object | undefined;
    const before = await this.definitions.write((current) => {
      if (!current.some((d) => d.kind === kind && d.name === name)) throw new DomainError('not_found', `no ${KIND_WORDS[kind]} named ${JSON.stringify(name)} was made through the API`);
      const spec = this.validate(kind, b ? { ...b, name } : body, current);
      after = spec;
      return { op: 'update', kind, name, spec, by: caller.actor };
    });
    await this.audit.record(caller, { action: AUDIT[kind].update, target: name, before: before?.spec, after });
    return this.entry(kind, name);
  }

  /** Deletes an entry made over the API; one a policy, schedule, route or live shift swap still names is a 409 naming it. */
  async remove(caller: Caller, kind: OnCallKind, name: string) {
    if (this.inConfig(kind, name)) throw this.readOnly(kind, name, 'deleted');
    const swaps = kind === 'person' ? await this.overrides.forPerson(name, new Date(this.clock.now())) : [];
    const c = this.config.get().raw;
    const before = await this.definitions.write((current) => {
      if (!current.some((d) => d.kind === kind && d.name === name)) throw new DomainError('not_found', `no ${KIND_WORDS[kind]} named ${JSON.stringify(name)} was made through the API`);
      const referrers = [...referrersOf(kind, name, mergeOnCall(c, current), c.alerting.route), ...swaps.map((o) => `override ${o.id} of schedule ${JSON.stringify(o.schedule)}`)];
      if (referrers.length) throw new DomainError('conflict', `${quoted(kind, name)} is still named by ${referrers.join(', ')}; change or delete that first`, { referrers });
      return { op: 'delete', kind, name };
    });
    // A schedule's shift swaps go with it: one made again under the same name starts without them.
    const swapsEnded = kind === 'schedule' ? (await this.overrides.removeAll(name)).map((o) => o.id) : [];
    await this.audit.record(caller, { action: AUDIT[kind].delete, target: name, before: swapsEnded.length ? { ...before?.spec, api_overrides_ended: swapsEnded } : before?.spec });
    return { deleted: name };
  }

  async scheduleFeed(name: string): Promise<string> {
    const { schedule } = await this.schedule(name);
    const t = this.clock.now();
    return calendar({ name: `On call: ${name}`, now: t, shifts: schedule.shifts(t - FEED_PAST, t + FEED_AHEAD).map((s) => ({ ...s, schedule: name })) });
  }

  async personFeed(person: string): Promise<string> {
    const c = await this.view();
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
    await this.raw(name);
    if (!(await this.view()).people.some((p) => p.name === b.person)) throw new DomainError('bad_request', `unknown person ${JSON.stringify(b.person)}`, { field: 'person' });
    if (b.until <= b.from) throw new DomainError('bad_request', 'until must be after from', { field: 'until' });
    const row = await this.overrides.create({ schedule: name, person: b.person, from: new Date(b.from), until: new Date(b.until), by: caller.actor });
    const after = { id: row.id, schedule: name, person: row.person, from: iso(b.from), until: iso(b.until) };
    await this.audit.record(caller, { action: 'schedule.override.create', target: name, after });
    return after;
  }

  async removeOverride(caller: Caller, name: string, id: number) {
    await this.raw(name);
    const row = await this.overrides.remove(name, id);
    const before = { id: row.id, schedule: name, person: row.person, from: iso(new Date(row.starts_at).getTime()), until: iso(new Date(row.ends_at).getTime()) };
    await this.audit.record(caller, { action: 'schedule.override.delete', target: name, before });
    return { deleted: id };
  }
}
