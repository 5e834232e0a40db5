import type { ZodTypeAny } from 'zod';
import { checkOnCall } from '../../config/src/config';
import { fromZod, type ConfigIssue } from '../../config/src/errors';
import { escalationPolicySchema, personSchema, scheduleSchema, type RawConfig, type RawEscalationPolicy, type RawPerson, type RawScheduleConfig, type RouteInput } from '../../config/src/schema';

/**
 * People, schedules and escalation policies made over the API, pure: merged with the config's
 * (the config's win a name both have, and the API refuses to make one), validated with the
 * config's own schema and reference checks, and who still refers to one before it is deleted.
 */
export type OnCallKind = 'person' | 'schedule' | 'escalation_policy';
export type OnCallSection = 'people' | 'schedules' | 'escalation_policies';

export const SECTION: Record<OnCallKind, OnCallSection> = { person: 'people', schedule: 'schedules', escalation_policy: 'escalation_policies' };
/** How errors and the audit log name each kind. */
export const KIND_WORDS: Record<OnCallKind, string> = { person: 'person', schedule: 'schedule', escalation_policy: 'escalation policy' };
const SCHEMAS: Record<OnCallKind, ZodTypeAny> = { person: personSchema, schedule: scheduleSchema, escalation_policy: escalationPolicySchema };

export type OnCallSpec = RawPerson | RawScheduleConfig | RawEscalationPolicy;

/** One row of oncall_definitions. */
export interface ApiDefinition {
  kind: OnCallKind;
  name: string;
  spec: OnCallSpec;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface OnCallSections {
  people: RawPerson[];
  schedules: RawScheduleConfig[];
  escalation_policies: RawEscalationPolicy[];
}

/** The on-call objects Nines pages by: the config's, then the API's, each knowing where it comes from. */
export interface MergedOnCall extends OnCallSections {
  /** `kind/name` of each entry made over the API (and not shadowed by the config). */
  fromApi: Map<string, ApiDefinition>;
}

export const keyOf = (kind: OnCallKind, name: string) => `${kind}/${name}`;

type OnCallConfig = Pick<RawConfig, 'people' | 'schedules' | 'escalation_policies' | 'alerting'>;

function merge(config: OnCallSections, api: readonly ApiDefinition[]): MergedOnCall {
  const out: MergedOnCall = { people: [...config.people], schedules: [...config.schedules], escalation_policies: [...config.escalation_policies], fromApi: new Map() };
  for (const d of api) {
    const section = out[SECTION[d.kind]] as { name: string }[];
    if (section.some((e) => e.name === d.name)) continue; // the config's entry wins
    section.push(d.spec);
    out.fromApi.set(keyOf(d.kind, d.name), d);
  }
  return out;
}

// One merged view per (config, API rows) pair: both keep their identity until they change, so the
// routing and notifiers built from a view are built once.
const merged = new WeakMap<object, WeakMap<readonly ApiDefinition[], MergedOnCall>>();

export function mergeOnCall(config: OnCallSections, api: readonly ApiDefinition[]): MergedOnCall {
  let byApi = merged.get(config);
  if (!byApi) merged.set(config, (byApi = new WeakMap()));
  let m = byApi.get(api);
  if (!m) byApi.set(api, (m = merge(config, api)));
  return m;
}

/**
 * Validates an entry given to the API as the config would: its shape with the config's schema,
 * then its references (people, schedules, receivers) and its schedule's compilation against the
 * config's entries and the API's, where `input` replaces the API entry of its name. Problems
 * name their field from the entry's root (`layers[0].handoff`).
 */
export function validateDefinition(
  kind: OnCallKind,
  input: unknown,
  config: OnCallConfig,
  api: readonly ApiDefinition[],
): { spec: OnCallSpec; issues: [] } | { spec?: undefined; issues: ConfigIssue[] } {
  const schema = SCHEMAS[kind];
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { issues: fromZod(parsed.error, schema, [], input) };
  const spec = parsed.data as OnCallSpec;
  const sections = merge(config, api.filter((d) => !(d.kind === kind && d.name === spec.name)));
  const section = SECTION[kind];
  (sections[section] as OnCallSpec[]).push(spec);
  const prefix = `${section}[${sections[section].length - 1}]`;
  const all: ConfigIssue[] = [];
  checkOnCall({ ...sections, heartbeats: [], alerting: config.alerting }, new Set(config.alerting.receivers.map((r) => r.name)), all);
  const issues = all.filter((i) => i.path === prefix || i.path.startsWith(`${prefix}.`) || i.path.startsWith(`${prefix}[`)).map((i) => ({ path: i.path.slice(prefix.length).replace(/^\./, '') || '(root)', message: i.message }));
  return issues.length ? { issues } : { spec, issues: [] };
}

function routesNaming(policy: string, route: RouteInput | undefined, path = 'alerting.route'): string[] {
  if (!route) return [];
  return [...(route.escalation_policy === policy ? [path] : []), ...(route.routes ?? []).flatMap((r, i) => routesNaming(policy, r, `${path}.routes[${i}]`))];
}

/**
 * What still refers to an entry: the policies whose steps name a person or schedule, the
 * schedules a person takes shifts in, the routes that page through a policy. Deleting an entry
 * something refers to is refused, naming the referrer.
 */
export function referrersOf(kind: OnCallKind, name: string, on: OnCallSections, route?: RouteInput): string[] {
  if (kind === 'escalation_policy') return routesNaming(name, route).map((p) => `route ${p} (config)`);
  const out: string[] = [];
  for (const p of on.escalation_policies) {
    p.steps.forEach((s, i) => {
      if ((kind === 'person' ? s.notify.person : s.notify.schedule) === name) out.push(`escalation policy ${JSON.stringify(p.name)} (steps[${i}].notify.${kind})`);
    });
  }
  if (kind === 'person') {
    for (const s of on.schedules) {
      if (s.layers.some((l) => l.participants.includes(name)) || s.overrides.some((o) => o.person === name)) out.push(`schedule ${JSON.stringify(s.name)}`);
    }
  }
  return out;
}
