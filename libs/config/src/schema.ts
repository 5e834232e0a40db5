import { LOCATION_NAME } from './settings';
import { z } from 'zod';
import { parseDuration } from '../../common/src/duration';
import { durationField, hostPort } from '../../probes/src/drivers/fields';
import { bucketList, latencyBucket } from '../../slo/src/latency-buckets';
import { cronError } from './cron';
import { describeMatcherError, parseMatchers } from './matchers';

/**
 * The YAML shape of PRODUCT.md. Every object is strict: a typo is an error, never silently ignored.
 * Probe specs are checked against their driver's own schema in validate.ts.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
export const name = z.string().regex(NAME, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const LAYERS = ['access', 'proxy', 'gateway', 'service', 'registry', 'coordination', 'cache', 'search', 'queue', 'storage', 'network'] as const;

const labels = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names must match [A-Za-z_][A-Za-z0-9_]*'), z.string());

const matcher = z.string().superRefine((s, ctx) => {
  const m = parseMatchers(s);
  if ('error' in m) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not a matcher list: ${describeMatcherError(m.error)}` });
});

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a known IANA time zone (e.g. UTC, Europe/Berlin, Asia/Tokyo)' },
);

/** Probe specs stay loose here; their fields are validated by the driver for their kind. */
export const probeSpec = z.record(z.string(), z.unknown());

// An unparseable duration is already reported by durationField; say only that once.
const positiveDuration = durationField.refine((s) => (parseDuration(s) ?? 1) > 0, { message: 'must be greater than 0' });

const defaults = z
  .object({
    interval: positiveDuration.default('10s'),
    timeout: positiveDuration.default('3s'),
    failure_threshold: z.number().int().min(1).max(100).default(1),
    recovery_threshold: z.number().int().min(1).max(100).default(1),
    concurrency: z.number().int().min(1).max(100_000).default(1024),
  })
  .strict();

const locationName = z.string().regex(LOCATION_NAME, 'must be lower-case letters, digits, "-" or "_", up to 32, as NINES_LOCATION');
/** Where a target is probed from and how many locations must see it down (issue 17). */
const where = {
  locations: z.array(locationName).min(1).optional(),
  quorum: z.number().int().min(1).optional(),
};

const member = z
  .object({
    name,
    probe: probeSpec,
    interval: positiveDuration.optional(),
    timeout: positiveDuration.optional(),
    labels: labels.optional(),
  })
  .strict();

const system = z
  .object({
    name,
    layer: z.enum(LAYERS),
    kind: z.string().min(1),
    description: z.string().optional(),
    depends_on: z.array(name).default([]),
    endpoint: z.object({ probe: probeSpec, interval: positiveDuration.optional(), timeout: positiveDuration.optional() }).strict().optional(),
    expect: z
      .object({
        primaries: z.number().int().min(0).optional(),
        min_replicas: z.number().int().min(0).optional(),
        max_lag: positiveDuration.optional(),
        max_lag_bytes: z.number().int().min(0).optional(),
      })
      .strict()
      .default({}),
    members: z.array(member).default([]),
    interval: positiveDuration.optional(),
    timeout: positiveDuration.optional(),
    labels: labels.optional(),
    ...where,
  })
  .strict();

const target = z
  .object({
    name,
    probe: probeSpec,
    interval: positiveDuration.optional(),
    timeout: positiveDuration.optional(),
    labels: labels.optional(),
    ...where,
  })
  .strict();

/** Probing from several locations: when one location losing targets is a partition, not an outage. */
const locations = z
  .object({
    partition: z
      .object({
        min_targets: z.number().int().min(1).default(3),
        share: z.number().gt(0).max(1).default(0.5),
      })
      .strict()
      .default({}),
  })
  .strict();

const calendarWindow = z.enum(['week', 'month', 'quarter']);

// One alert of the exported rules: extra labels and annotations, or false to leave it out.
const ruleAlert = z.union([z.literal(false), z.object({ labels: labels.optional(), annotations: z.record(z.string(), z.string()).optional() }).strict()]);

/** How GET /api/v1/slos/prometheus-rules writes an SLO (PRODUCT.md "SLO rules for Sloth users"). */
const prometheusRules = z
  .object({
    style: z.enum(['nines', 'sloth']).default('nines'),
    service: name.optional(),
    alerting: z
      .union([
        z.literal(false),
        z
          .object({
            name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a metric-style name like SLOBurnRate').optional(),
            labels: labels.optional(),
            annotations: z.record(z.string(), z.string()).optional(),
            page: ruleAlert.optional(),
            ticket: ruleAlert.optional(),
          })
          .strict(),
      ])
      .optional(),
    windows: z
      .array(
        z
          .object({ long: positiveDuration, short: positiveDuration, burn: z.number().positive('must be above 0'), severity: z.enum(['page', 'ticket']).optional() })
          .strict()
          .refine((w) => (parseDuration(w.short) ?? 0) < (parseDuration(w.long) ?? 0), { message: 'short must be shorter than long', path: ['short'] }),
      )
      .nonempty('needs at least one window pair, or leave windows out for the defaults')
      .optional(),
  })
  .strict();

export const sloSchema = z
  .object({
    name,
    description: z.string().optional(),
    selector: z
      .object({ system: name.optional(), target: name.optional(), labels: labels.optional() })
      .strict()
      .refine((s) => [s.system, s.target, s.labels].filter((x) => x !== undefined).length === 1, {
        message: 'must name exactly one of system, target or labels',
      }),
    sli: z
      .object({ kind: z.enum(['availability', 'latency']).default('availability'), threshold: positiveDuration.optional() })
      .strict()
      .refine((s) => s.kind !== 'latency' || s.threshold !== undefined, { message: 'a latency SLI needs threshold (e.g. 250ms)', path: ['threshold'] })
      // Rollups count probes per fixed latency boundary, so only a boundary gives an exact SLI.
      .superRefine((s, ctx) => {
        if (s.kind === 'latency' && s.threshold !== undefined && parseDuration(s.threshold) !== undefined && !latencyBucket(parseDuration(s.threshold)!))
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['threshold'], message: `must be one of the latency boundaries Nines counts: ${bucketList()} (got ${s.threshold})` });
      })
      .default({ kind: 'availability' }),
    objective: z.number().gt(0, 'must be above 0').lt(100, 'must be below 100 (100% leaves no error budget)'),
    // One check, one message: a union would surface only the duration branch's complaint ("fortnight").
    window: z.string().refine((s) => calendarWindow.safeParse(s).success || (parseDuration(s) ?? 0) > 0, {
      message: 'must be a duration (e.g. 30d) or one of week, month, quarter',
    }),
    timezone: timezone.default('UTC'),
    exclude: z
      .object({
        drills: z.boolean().default(true),
        maintenance: z.boolean().default(true),
        silenced: z.boolean().default(false),
        // Names of alerting.time_intervals that are this SLO's maintenance windows.
        maintenance_windows: z.array(name).default([]),
      })
      .strict()
      .default({}),
    labels: labels.optional(),
    prometheus_rules: prometheusRules.optional(),
  })
  .strict();

const emailReceiver = z
  .object({ to: z.array(z.string().email('is not an email address')).nonempty('needs at least one address'), from: z.string().optional(), subject_prefix: z.string().optional() })
  .strict();

const webhookReceiver = z
  .object({
    url: z.string().url('is not a valid URL'),
    format: z.enum(['standard', 'alertmanager', 'slack']).default('standard'),
    secret: z.string().min(1).optional(),
    allow_private: z.boolean().default(false),
    headers: z.record(z.string(), z.string()).default({}),
    timeout: positiveDuration.default('10s'),
  })
  .strict();

/**
 * What every provider receiver takes beside its own keys: `url` replaces the provider's base URL
 * (a proxy, an EU region, a self-hosted server, a test double), and the address policy of webhooks.
 */
const providerUrl = z.string().url('is not a valid URL').refine((u) => /^https?:$/.test(new URL(u).protocol), 'must be http or https');
const endpoint = { url: providerUrl.optional(), allow_private: z.boolean().default(false), timeout: positiveDuration.default('10s') };
const secret = z.string().min(1, 'must not be empty');
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +15550100');

/** PagerDuty Events API v2: the integration's routing key. */
const pagerdutyReceiver = z.object({ routing_key: secret, ...endpoint }).strict();
/** Opsgenie Alert API: an API integration's key (`url` https://api.eu.opsgenie.com for EU accounts). */
const opsgenieReceiver = z.object({ api_key: secret, ...endpoint }).strict();
/** Slack Web API chat.postMessage with a bot token; signing_secret verifies the Acknowledge button's callbacks. */
const slackReceiver = z.object({ token: secret, channel: z.string().min(1), signing_secret: secret.optional(), ...endpoint }).strict();
/** Microsoft Teams: a Workflows (Power Automate) webhook URL that posts an Adaptive Card. */
const teamsReceiver = z.object({ url: providerUrl, allow_private: z.boolean().default(false), timeout: positiveDuration.default('10s') }).strict();
/** Telegram Bot API sendMessage. */
const telegramReceiver = z.object({ bot_token: secret, chat_id: z.union([z.string().min(1), z.number().int()]).transform(String), ...endpoint }).strict();
/** ntfy: the server (default https://ntfy.sh), a topic and an optional access token. */
const ntfyReceiver = z
  .object({
    url: providerUrl.default('https://ntfy.sh'),
    topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"'),
    token: secret.optional(),
    allow_private: z.boolean().default(false),
    timeout: positiveDuration.default('10s'),
  })
  .strict();
/** Twilio REST API: SMS (Messages) or a voice call (Calls) that says the alert, to each number in `to`. */
const twilioReceiver = z
  .object({
    account_sid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID (AC and 32 hex digits)'),
    auth_token: secret,
    from: phone,
    to: z.array(phone).optional(),
    mode: z.enum(['sms', 'voice']).default('sms'),
    ...endpoint,
  })
  .strict();

/** Every kind of receiver a config may hold; a receiver has one or more of them. */
export const RECEIVER_KINDS = ['email', 'webhook', 'pagerduty', 'opsgenie', 'slack', 'teams', 'telegram', 'ntfy', 'twilio'] as const;

const receiver = z
  .object({
    name,
    email: emailReceiver.optional(),
    webhook: webhookReceiver.optional(),
    pagerduty: pagerdutyReceiver.optional(),
    opsgenie: opsgenieReceiver.optional(),
    slack: slackReceiver.optional(),
    teams: teamsReceiver.optional(),
    telegram: telegramReceiver.optional(),
    ntfy: ntfyReceiver.optional(),
    twilio: twilioReceiver.optional(),
  })
  .strict()
  .refine((r) => RECEIVER_KINDS.some((k) => r[k]), { message: `needs one of ${RECEIVER_KINDS.join(', ')}` });
export type ReceiverConfig = z.infer<typeof receiver>;

export interface RouteInput {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  send_resolved?: boolean;
  mute_time_intervals?: string[];
  escalate?: { after: string; receiver: string };
  escalation_policy?: string;
  routes?: RouteInput[];
}

const route: z.ZodType<RouteInput> = z.lazy(() =>
  z
    .object({
      receiver: name.optional(),
      matchers: z.array(matcher).optional(),
      continue: z.boolean().optional(),
      group_by: z.array(z.string()).optional(),
      group_wait: durationField.optional(),
      group_interval: positiveDuration.optional(),
      repeat_interval: positiveDuration.optional(),
      send_resolved: z.boolean().optional(),
      mute_time_intervals: z.array(name).optional(),
      escalate: z.object({ after: positiveDuration, receiver: name }).strict().optional(),
      /** Page through an on-call escalation policy (people and schedules) instead of, or beside, the receiver. */
      escalation_policy: name.optional(),
      routes: z.array(route).optional(),
    })
    .strict(),
);

const timeRange = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM-HH:MM');
const timeInterval = z
  .object({
    name,
    intervals: z
      .array(
        z
          .object({
            times: z.array(timeRange).optional(),
            weekdays: z.array(z.string().regex(/^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(:(monday|tuesday|wednesday|thursday|friday|saturday|sunday))?$/, 'must be a weekday or range like monday:friday')).optional(),
            start: z.string().datetime({ offset: true, message: 'must be an RFC 3339 time' }).optional(),
            end: z.string().datetime({ offset: true, message: 'must be an RFC 3339 time' }).optional(),
            location: timezone.optional(),
          })
          .strict(),
      )
      .nonempty(),
  })
  .strict();

const inhibitRule = z
  .object({ source_matchers: z.array(matcher).nonempty(), target_matchers: z.array(matcher).nonempty(), equal: z.array(z.string()).default([]) })
  .strict();

const alerting = z
  .object({
    external_url: z.string().url().optional(),
    receivers: z.array(receiver).default([]),
    route: route.optional(),
    inhibit_rules: z.array(inhibitRule).default([]),
    time_intervals: z.array(timeInterval).default([]),
    ack_secret: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .strict();

const smtp = z
  .object({
    url: z.string().superRefine((s, ctx) => {
      try {
        const u = new URL(s);
        if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must use smtp:// or smtps://' });
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a valid URL' });
      }
    }),
    from: z.string().min(3),
    starttls: z.enum(['auto', 'required', 'off']).default('auto'),
    tls_verify: z.boolean().default(true),
    username: z.string().optional(),
    password: z.string().optional(),
  })
  .strict();

const reports = z
  .object({
    weekly: z
      .object({
        cron: z.string().superRefine((s, ctx) => {
          const e = cronError(s);
          if (e) ctx.addIssue({ code: z.ZodIssueCode.custom, message: e });
        }),
        timezone: timezone.default('UTC'),
        to: z.array(z.string().email('is not an email address')).nonempty('needs at least one address'),
        enabled: z.boolean().default(true),
      })
      .strict()
      .optional(),
  })
  .strict();

const storage = z
  .object({
    raw_retention: positiveDuration.default('14d'),
    rollup_retention: positiveDuration.default('400d'),
  })
  .strict();

const role = z.enum(['viewer', 'responder', 'admin'], { errorMap: () => ({ message: 'must be viewer, responder or admin' }) });
/** Endpoints that answer without a token by default; `docs` is the OpenAPI page (no data). */
export const PUBLIC_ENDPOINTS = ['metrics', 'healthz', 'readyz', 'docs'] as const;
const auth = z
  .object({
    /** What a request without a token may do once any token exists. */
    anonymous: z.enum(['none', 'viewer'], { errorMap: () => ({ message: 'must be none or viewer' }) }).default('none'),
    /** Which of metrics, healthz, readyz and docs answer without a token (others need viewer). */
    public: z.array(z.enum(PUBLIC_ENDPOINTS, { errorMap: () => ({ message: `must be one of ${PUBLIC_ENDPOINTS.join(', ')}` }) })).default([...PUBLIC_ENDPOINTS]),
    oidc: z
      .object({
        issuer: z.string().url('must be the issuer URL'),
        client_id: z.string().min(1),
        client_secret: z.string().min(1).optional(),
        /** The ID token / userinfo claim that names the role (a string or a list of groups). */
        role_claim: z.string().min(1).default('groups'),
        /** Claim value -> role; a user whose claim maps to none is refused. */
        roles: z.record(z.string(), role).refine((r) => Object.keys(r).length > 0, 'needs at least one claim value mapped to a role'),
        /** The URL users reach Nines at (the redirect URI is <external_url>/auth/callback); default alerting.external_url. */
        external_url: z.string().url().optional(),
        session_ttl: positiveDuration.default('12h'),
        scopes: z.array(z.string()).default(['openid', 'profile', 'email']),
      })
      .strict()
      .optional(),
  })
  .strict();

const limits = z
  .object({
    /** Largest request body accepted (413 beyond). */
    body: z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size like 512kb or 1mb').default('1mb'),
    /** Writes (POST, PUT, PATCH, DELETE outside ingest) per minute, per token and per address. */
    writes_per_minute: z.number().int().positive().default(120),
    /** Ingest events per minute, per token and per address. */
    ingest_per_minute: z.number().int().positive().default(1200),
    open_silences: z.number().int().positive().default(1000),
    api_slos: z.number().int().positive().default(200),
    labels: z
      .object({
        count: z.number().int().positive().default(64),
        name_length: z.number().int().positive().default(128),
        value_length: z.number().int().positive().default(2048),
      })
      .strict()
      .default({}),
  })
  .strict();

export const personSchema = z
  .object({
    name,
    email: z.string().email('is not an email address').optional(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +15550100').optional(),
    slack: z.string().min(1).optional(),
    telegram: z.string().min(1).optional(),
    /** When each contact method is used once a step notifies this person; none: every method at once. */
    notification_rules: z.array(z.object({ after: durationField.default('0s'), via: z.array(z.enum(['email', 'phone', 'sms', 'slack', 'telegram'])).nonempty() }).strict()).optional(),
    /** The receiver each method goes through (its credentials, the person's address); default: the first receiver of that kind. */
    via: z.object({ phone: name.optional(), sms: name.optional(), slack: name.optional(), telegram: name.optional() }).strict().optional(),
  })
  .strict();

const scheduleLayer = z
  .object({
    rotation: z.union([z.enum(['daily', 'weekly']), z.object({ every: positiveDuration }).strict()], { errorMap: () => ({ message: 'must be daily, weekly or { every: 12h }' }) }),
    handoff: z.string().optional(),
    start: z.string(),
    participants: z.array(name).nonempty('needs at least one person'),
    restrict: z.string().optional(),
  })
  .strict();

export const scheduleSchema = z
  .object({
    name,
    timezone: timezone.default('UTC'),
    layers: z.array(scheduleLayer).nonempty('needs at least one layer'),
    overrides: z
      .array(
        z
          .object({
            person: name,
            from: z.string().datetime({ offset: true, message: 'must be an RFC 3339 time' }),
            until: z.string().datetime({ offset: true, message: 'must be an RFC 3339 time' }),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const escalationTarget = z
  .object({ schedule: name.optional(), person: name.optional(), receiver: name.optional() })
  .strict()
  .refine((t) => [t.schedule, t.person, t.receiver].filter(Boolean).length === 1, 'name exactly one of schedule, person or receiver');

export const escalationPolicySchema = z
  .object({
    name,
    steps: z.array(z.object({ notify: escalationTarget, after: positiveDuration.default('5m') }).strict()).nonempty('needs at least one step'),
    /** How many times the whole list runs again while nobody acknowledges. */
    repeat: z.number().int().min(0).max(10).default(0),
  })
  .strict();

const heartbeat = z
  .object({ name, period: positiveDuration, grace: durationField.default('0s'), labels: labels.optional() })
  .strict();

/** The public status page (`/status`): off unless enabled, and then only the systems listed. */
const statusPage = z
  .object({
    enabled: z.boolean().default(false),
    title: z.string().min(1).max(200).default('Service status'),
    systems: z.array(name).max(200).default([]),
  })
  .strict();

export const configSchema = z
  .object({
    people: z.array(personSchema).default([]),
    schedules: z.array(scheduleSchema).default([]),
    escalation_policies: z.array(escalationPolicySchema).default([]),
    heartbeats: z.array(heartbeat).default([]),
    self_heartbeat: z.object({ url: z.string().url(), interval: positiveDuration.default('30s') }).strict().optional(),
    auth: auth.default({}),
    limits: limits.default({}),
    defaults: defaults.default({}),
    systems: z.array(system).default([]),
    targets: z.array(target).default([]),
    slos: z.array(sloSchema).default([]),
    alerting: alerting.default({}),
    smtp: smtp.optional(),
    reports: reports.default({}),
    storage: storage.default({}),
    status_page: statusPage.default({}),
    locations: locations.default({}),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;
export { hostPort };
export type RawPerson = z.infer<typeof personSchema>;
export type RawScheduleConfig = z.infer<typeof scheduleSchema>;
export type RawEscalationPolicy = z.infer<typeof escalationPolicySchema>;
