import type { NinesConfig } from '../../config/src/config';
import { parseDuration } from '../../common/src/duration';
import type { PersonDef, PolicyDef } from '../../oncall/src/escalation';

/** The receiver name a person is paged under. */
export const personReceiver = (name: string) => `person:${name}`;
import { personDelivery, receiverChannels } from '../../config/src/receivers';
import type { Channel } from '../../notify/src/notification';
import { buildRoute, type Route } from './route';
import type { InhibitRule } from './inhibit';
import { compile } from './matchers';
import type { TimeIntervalSpec } from './time-intervals';

/** The alerting section of the config, compiled once per (re)load. */
export interface RoutingConfig {
  root?: Route;
  routesById: Map<string, Route>;
  inhibit: InhibitRule[];
  intervals: Map<string, TimeIntervalSpec[]>;
  externalUrl: string;
  ackSecret?: string;
  ackTtlMs: number;
  /** On-call escalation policies and the people they page (receiver `person:<name>`). */
  policies: Map<string, PolicyDef>;
  people: Map<string, PersonDef>;
  /** Delivery channels of each receiver: one notification row (and one delivery) per channel. */
  channels: Map<string, Channel[]>;
  /** `receiver/channel` → the numbers it sends to, one outbox row each (Twilio). */
  recipients?: Map<string, string[]>;
}

/** The people and policies paged by: the config's, or those merged with the API's (mergeOnCall). */
type OnCall = Pick<NinesConfig['raw'], 'people' | 'escalation_policies'>;

export function compileRouting(c: NinesConfig, fallbackUrl: string, oncall: OnCall = c.raw): RoutingConfig {
  const a = c.raw.alerting;
  const root = a.route ? buildRoute(a.route) : undefined;
  const routesById = new Map<string, Route>();
  const walk = (r: Route) => {
    routesById.set(r.id, r);
    r.routes.forEach(walk);
  };
  if (root) walk(root);
  return {
    root,
    routesById,
    inhibit: a.inhibit_rules.map((r) => ({ source: compile(r.source_matchers), target: compile(r.target_matchers), equal: r.equal })),
    intervals: new Map(a.time_intervals.map((t) => [t.name, t.intervals])),
    externalUrl: (a.external_url ?? fallbackUrl).replace(/\/$/, ''),
    ackSecret: a.ack_secret,
    ackTtlMs: 7 * 86_400_000,
    channels: new Map([
      ...a.receivers.map((r) => [r.name, receiverChannels(r)] as [string, Channel[]]),
      // A person paged by a policy: a channel per contact method Nines can deliver (personDelivery).
      ...oncall.people.map((p) => [personReceiver(p.name), personDelivery(p, a.receivers, !!c.raw.smtp).map((d) => d.method)] as [string, Channel[]]),
    ]),
    recipients: new Map(a.receivers.flatMap((r) => (r.twilio?.to?.length ? [[`${r.name}/twilio`, r.twilio.to] as [string, string[]]] : []))),
    policies: new Map(oncall.escalation_policies.map((p) => [p.name, { name: p.name, repeat: p.repeat, steps: p.steps.map((s) => ({ notify: s.notify, afterMs: parseDuration(s.after)! })) }])),
    people: new Map(
      oncall.people.map((p) => [
        p.name,
        { name: p.name, email: p.email, phone: p.phone, slack: p.slack, telegram: p.telegram, rules: p.notification_rules?.map((r) => ({ afterMs: parseDuration(r.after) ?? 0, via: [...r.via] })) },
      ]),
    ),
  };
}

// Keyed by the config object (and the on-call view): a reload makes a new one, so a stale entry is
// never served, and the services that route (alerts, SLO alerts, delivery) share one compiled tree per config.
const compiled = new WeakMap<NinesConfig, Map<string, WeakMap<OnCall, RoutingConfig>>>();

/** compileRouting(), once per config object, fallback URL and on-call view. */
export function routingFor(c: NinesConfig, fallbackUrl: string, oncall: OnCall = c.raw): RoutingConfig {
  let byUrl = compiled.get(c);
  if (!byUrl) compiled.set(c, (byUrl = new Map()));
  let byOnCall = byUrl.get(fallbackUrl);
  if (!byOnCall) byUrl.set(fallbackUrl, (byOnCall = new WeakMap()));
  let r = byOnCall.get(oncall);
  if (!r) byOnCall.set(oncall, (r = compileRouting(c, fallbackUrl, oncall)));
  return r;
}
