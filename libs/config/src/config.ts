import { z } from 'zod';
import { parseDuration } from '../../common/src/duration';
import { parseUserYaml, YamlInputError } from '../../common/src/yaml-input';
import { secretsOfUrl } from '../../common/src/secrets';
import type { ProbeSpec, ProbeTarget } from '../../probes/src/target';
import { driverFor, knownKinds } from '../../probes/src/registry';
import { durationField } from '../../probes/src/drivers/fields';
import { ConfigError, ConfigIssue, formatPath, fromZod, shapeKeysAt, suggest } from './errors';
import { PERSON_METHOD_KIND, receiverSecrets } from './receivers';
import { configSchema, RawConfig, RECEIVER_KINDS, RouteInput } from './schema';
import { compileSchedules } from '../../oncall/src/from-config';

export interface SystemDef {
  name: string;
  layer: string;
  kind: string;
  description?: string;
  dependsOn: string[];
  expect: { primaries?: number; minReplicas?: number; maxLagMs?: number; maxLagBytes?: number };
  members: { name: string; key: string }[];
  endpointKey?: string;
  labels: Record<string, string>;
}

export interface NinesConfig {
  raw: RawConfig;
  defaults: { intervalMs: number; timeoutMs: number; failureThreshold: number; recoveryThreshold: number; concurrency: number };
  systems: SystemDef[];
  targets: ProbeTarget[];
  storage: { rawRetentionMs: number; rollupRetentionMs: number };
  /** When one location losing many targets the others reach is a partition (issue 17). */
  locations: { partition: { minTargets: number; share: number } };
  /** Every secret value found in the config, for the scrubber. */
  secrets: string[];
}

const durationMs = (s: string) => parseDuration(s)!;

/** `${VAR}` and `${VAR:-default}` in string values; `$${` stays a literal `${`. */
function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[], issues: ConfigIssue[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, escaped: string | undefined, name: string, dflt: string | undefined) => {
      if (escaped) return whole.slice(1);
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (dflt !== undefined) return dflt;
      issues.push({ path: formatPath(path), message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, i], issues));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, [...path, k], issues);
    return out;
  }
  return value;
}

const probeCommon = z
  .object({
    kind: z.string({ required_error: 'is required' }),
    interval: durationField.optional(),
    timeout: durationField.optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .passthrough();

interface CheckedProbe {
  spec: ProbeSpec;
  intervalMs?: number;
  timeoutMs?: number;
  labels?: Record<string, string>;
  secrets: string[];
}

function checkProbe(input: unknown, path: (string | number)[], issues: ConfigIssue[]): CheckedProbe | undefined {
  const common = probeCommon.safeParse(input);
  if (!common.success) {
    issues.push(...fromZod(common.error, probeCommon, path, input));
    return undefined;
  }
  const { kind, interval, timeout, labels, ...fields } = common.data;
  const driver = driverFor(kind);
  if (!driver) {
    issues.push({ path: formatPath([...path, 'kind']), message: `unknown probe kind ${JSON.stringify(kind)} (known: ${knownKinds().join(', ')})` });
    return undefined;
  }
  const parsed = driver.schema.safeParse(fields);
  if (!parsed.success) {
    // A typo at the probe's top level may be of a common field (timout), so suggest from both sets.
    const topKeys = [...(shapeKeysAt(driver.schema, []) ?? []), 'interval', 'timeout', 'labels'];
    for (const issue of parsed.error.issues) {
      if (issue.code === z.ZodIssueCode.unrecognized_keys && issue.path.length === 0) {
        for (const k of issue.keys) issues.push({ path: formatPath([...path, k]), message: `unknown field${suggest(k, topKeys)}` });
      } else {
        issues.push(...fromZod(new z.ZodError([issue]), driver.schema, path, fields));
      }
    }
    return undefined;
  }
  const spec = { kind, ...(parsed.data as object) } as ProbeSpec;
  return {
    spec,
    intervalMs: interval ? durationMs(interval) : undefined,
    timeoutMs: timeout ? durationMs(timeout) : undefined,
    labels,
    secrets: driver.secrets?.(parsed.data) ?? [],
  };
}

function duplicates<T>(items: T[], keyOf: (t: T) => string, path: (i: number) => (string | number)[], what: string, issues: ConfigIssue[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = keyOf(item);
    if (seen.has(k)) issues.push({ path: formatPath(path(i)), message: `duplicate ${what} ${JSON.stringify(k)} (first at index ${seen.get(k)})` });
    else seen.set(k, i);
  });
}

/** Where probe specs sit in a raw document, so they are checked even when the schema failed elsewhere. */
function probeInputs(doc: unknown): [Record<string, unknown>, (string | number)[]][] {
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const out: [Record<string, unknown>, (string | number)[]][] = [];
  if (!isMap(doc)) return out;
  list(doc.systems).forEach((s, si) => {
    if (!isMap(s)) return;
    if (isMap(s.endpoint) && isMap(s.endpoint.probe)) out.push([s.endpoint.probe, ['systems', si, 'endpoint', 'probe']]);
    list(s.members).forEach((m, mi) => {
      if (isMap(m) && isMap(m.probe)) out.push([m.probe, ['systems', si, 'members', mi, 'probe']]);
    });
  });
  list(doc.targets).forEach((t, ti) => {
    if (isMap(t) && isMap(t.probe)) out.push([t.probe, ['targets', ti, 'probe']]);
  });
  return out;
}

function walkRoutes(route: RouteInput, path: (string | number)[], visit: (r: RouteInput, p: (string | number)[]) => void): void {
  visit(route, path);
  route.routes?.forEach((r, i) => walkRoutes(r, [...path, 'routes', i], visit));
}

/** Parses and validates a config document; throws ConfigError listing every problem at once. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): NinesConfig {
  let doc: unknown;
  try {
    doc = parseUserYaml(text) ?? {};
  } catch (e) {
    if (!(e instanceof YamlInputError)) throw e;
    const where = e.line ? ` at line ${e.line}${e.col ? `, column ${e.col}` : ''}` : '';
    throw new ConfigError([{ path: '(root)', message: `YAML syntax error${where}: ${e.message}` }]);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([{ path: '(root)', message: 'must be a mapping with systems, targets, …' }]);

  const issues: ConfigIssue[] = [];
  const substituted = substituteEnv(doc, env, [], issues);
  // A missing variable leaves an empty string behind; its follow-on errors at the same path are noise.
  const envIssueCount = issues.length;
  const envPaths = new Set(issues.map((i) => i.path));
  const fail = () => new ConfigError(issues.filter((i, n) => n < envIssueCount || !envPaths.has(i.path)));
  const parsed = configSchema.safeParse(substituted);
  if (!parsed.success) {
    issues.push(...fromZod(parsed.error, configSchema, [], substituted));
    // Probe fields are checked by their driver, after the schema; check them now too so one run lists every problem.
    for (const [probe, path] of probeInputs(substituted)) checkProbe(probe, path, issues);
    throw fail();
  }
  const raw = parsed.data;

  const defaults = {
    intervalMs: durationMs(raw.defaults.interval),
    timeoutMs: durationMs(raw.defaults.timeout),
    failureThreshold: raw.defaults.failure_threshold,
    recoveryThreshold: raw.defaults.recovery_threshold,
    concurrency: raw.defaults.concurrency,
  };
  const secrets: string[] = [];
  const targets: ProbeTarget[] = [];
  const systems: SystemDef[] = [];

  const addTarget = (
    probeInput: unknown,
    probePath: (string | number)[],
    ownerPath: (string | number)[],
    t: Omit<ProbeTarget, 'intervalMs' | 'timeoutMs' | 'probe' | 'labels'>,
    inherited: { interval?: string; timeout?: string; labels?: Record<string, string>; path: (string | number)[] }[],
  ): void => {
    const checked = checkProbe(probeInput, probePath, issues);
    if (!checked) return;
    secrets.push(...checked.secrets);
    // Most specific wins: probe, then owner (member/target), then system, then defaults.
    let intervalMs = checked.intervalMs;
    let timeoutMs = checked.timeoutMs;
    let timeoutPath = timeoutMs !== undefined ? probePath : ownerPath; // where the effective timeout was written
    const labels: Record<string, string> = {};
    for (const level of [...inherited].reverse()) Object.assign(labels, level.labels ?? {});
    Object.assign(labels, checked.labels ?? {});
    for (const level of inherited) {
      intervalMs ??= level.interval ? durationMs(level.interval) : undefined;
      if (timeoutMs === undefined && level.timeout) {
        timeoutMs = durationMs(level.timeout);
        timeoutPath = level.path;
      }
    }
    intervalMs ??= defaults.intervalMs;
    timeoutMs ??= Math.min(defaults.timeoutMs, intervalMs);
    if (timeoutMs > intervalMs) {
      issues.push({ path: formatPath([...timeoutPath, 'timeout']), message: `must not exceed the interval (${timeoutMs}ms > ${intervalMs}ms): a probe may never overlap itself` });
    }
    targets.push({ ...t, intervalMs, timeoutMs, labels, probe: checked.spec });
  };

  /** Where a target is probed from: its own list, else its system's; the quorum must be reachable. */
  const whereOf = (w: { locations?: string[]; quorum?: number }, path: (string | number)[]): Pick<ProbeTarget, 'locations' | 'quorum'> => {
    if (w.locations) duplicates(w.locations, (l) => l, (i) => [...path, 'locations', i], 'location', issues);
    if (w.quorum !== undefined && w.locations && w.quorum > w.locations.length)
      issues.push({ path: formatPath([...path, 'quorum']), message: `must not exceed the number of locations (${w.quorum} > ${w.locations.length}): the target could never be down` });
    return { ...(w.locations ? { locations: [...w.locations] } : {}), ...(w.quorum !== undefined ? { quorum: w.quorum } : {}) };
  };

  raw.systems.forEach((s, si) => {
    const sp: (string | number)[] = ['systems', si];
    const sysWhere = whereOf(s, sp);
    const sysLevel = { interval: s.interval, timeout: s.timeout, labels: s.labels, path: sp };
    const def: SystemDef = {
      name: s.name,
      layer: s.layer,
      kind: s.kind,
      description: s.description,
      dependsOn: s.depends_on,
      expect: {
        primaries: s.expect.primaries,
        minReplicas: s.expect.min_replicas,
        maxLagMs: s.expect.max_lag ? durationMs(s.expect.max_lag) : undefined,
        maxLagBytes: s.expect.max_lag_bytes,
      },
      members: s.members.map((m) => ({ name: m.name, key: `${s.name}/${m.name}` })),
      labels: s.labels ?? {},
    };
    if (s.endpoint) {
      def.endpointKey = `${s.name}/@endpoint`;
      addTarget(s.endpoint.probe, [...sp, 'endpoint', 'probe'], [...sp, 'endpoint'],
        { key: def.endpointKey, name: `${s.name} endpoint`, system: s.name, layer: s.layer, systemKind: s.kind, isEndpoint: true, ...sysWhere },
        [{ interval: s.endpoint.interval, timeout: s.endpoint.timeout, path: [...sp, 'endpoint'] }, sysLevel]);
    }
    if (!s.members.length && !s.endpoint) issues.push({ path: formatPath([...sp, 'members']), message: 'a system needs at least one member or an endpoint' });
    s.members.forEach((m, mi) => {
      addTarget(m.probe, [...sp, 'members', mi, 'probe'], [...sp, 'members', mi],
        { key: `${s.name}/${m.name}`, name: m.name, system: s.name, member: m.name, layer: s.layer, systemKind: s.kind, ...sysWhere },
        [{ interval: m.interval, timeout: m.timeout, labels: m.labels, path: [...sp, 'members', mi] }, sysLevel]);
    });
    duplicates(s.members, (m) => m.name, (i) => [...sp, 'members', i, 'name'], 'member name', issues);
    systems.push(def);
  });

  raw.targets.forEach((t, ti) => {
    addTarget(t.probe, ['targets', ti, 'probe'], ['targets', ti],
      { key: t.name, name: t.name, systemKind: typeof t.probe.kind === 'string' ? t.probe.kind : undefined, ...whereOf(t, ['targets', ti]) },
      [{ interval: t.interval, timeout: t.timeout, labels: t.labels, path: ['targets', ti] }]);
  });

  // Names and references.
  duplicates(raw.systems, (s) => s.name, (i) => ['systems', i, 'name'], 'system name', issues);
  duplicates(raw.targets, (t) => t.name, (i) => ['targets', i, 'name'], 'target name', issues);
  duplicates(raw.slos, (s) => s.name, (i) => ['slos', i, 'name'], 'SLO name', issues);
  duplicates(raw.alerting.receivers, (r) => r.name, (i) => ['alerting', 'receivers', i, 'name'], 'receiver name', issues);
  const systemNames = new Set(raw.systems.map((s) => s.name));
  const targetNames = new Set(raw.targets.map((t) => t.name));
  raw.targets.forEach((t, i) => {
    if (systemNames.has(t.name)) issues.push({ path: formatPath(['targets', i, 'name']), message: `${JSON.stringify(t.name)} is already the name of a system` });
  });
  raw.systems.forEach((s, si) =>
    s.depends_on.forEach((d, di) => {
      if (!systemNames.has(d)) issues.push({ path: formatPath(['systems', si, 'depends_on', di]), message: `unknown system ${JSON.stringify(d)}` });
      else if (d === s.name) issues.push({ path: formatPath(['systems', si, 'depends_on', di]), message: 'a system cannot depend on itself' });
    }),
  );
  const cycle = findCycle(raw.systems.map((s) => [s.name, s.depends_on]));
  if (cycle) issues.push({ path: 'systems', message: `depends_on forms a cycle: ${cycle.join(' → ')}` });

  raw.status_page.systems.forEach((n, i) => {
    if (!systemNames.has(n)) issues.push({ path: formatPath(['status_page', 'systems', i]), message: `unknown system ${JSON.stringify(n)}` });
  });
  if (raw.status_page.enabled && !raw.status_page.systems.length) issues.push({ path: 'status_page.systems', message: 'must name at least one system when the status page is enabled' });

  raw.slos.forEach((s, i) => {
    if (s.selector.system && !systemNames.has(s.selector.system)) issues.push({ path: formatPath(['slos', i, 'selector', 'system']), message: `unknown system ${JSON.stringify(s.selector.system)}` });
    if (s.selector.target && !targetNames.has(s.selector.target)) issues.push({ path: formatPath(['slos', i, 'selector', 'target']), message: `unknown target ${JSON.stringify(s.selector.target)}` });
    s.exclude.maintenance_windows.forEach((n, j) => {
      if (!raw.alerting.time_intervals.some((t) => t.name === n))
        issues.push({ path: formatPath(['slos', i, 'exclude', 'maintenance_windows', j]), message: `unknown time interval ${JSON.stringify(n)} (define it in alerting.time_intervals)` });
    });
  });

  const receiverNames = new Set(raw.alerting.receivers.map((r) => r.name));
  const intervalNames = new Set(raw.alerting.time_intervals.map((t) => t.name));
  if (raw.alerting.route) {
    if (!raw.alerting.route.receiver) issues.push({ path: 'alerting.route.receiver', message: 'the root route needs a receiver' });
    if (raw.alerting.route.matchers?.length) issues.push({ path: 'alerting.route.matchers', message: 'the root route matches every alert and cannot have matchers' });
    walkRoutes(raw.alerting.route, ['alerting', 'route'], (r, p) => {
      if (r.receiver && !receiverNames.has(r.receiver)) issues.push({ path: formatPath([...p, 'receiver']), message: `unknown receiver ${JSON.stringify(r.receiver)}` });
      if (r.escalate && !receiverNames.has(r.escalate.receiver)) issues.push({ path: formatPath([...p, 'escalate', 'receiver']), message: `unknown receiver ${JSON.stringify(r.escalate.receiver)}` });
      r.mute_time_intervals?.forEach((n, i) => {
        if (!intervalNames.has(n)) issues.push({ path: formatPath([...p, 'mute_time_intervals', i]), message: `unknown time interval ${JSON.stringify(n)}` });
      });
    });
  } else if (raw.alerting.receivers.length) {
    issues.push({ path: 'alerting.route', message: 'is required when receivers are configured' });
  }
  const routedReceivers = new Set<string>();
  if (raw.alerting.route)
    walkRoutes(raw.alerting.route, ['alerting', 'route'], (r) => {
      if (r.receiver) routedReceivers.add(r.receiver);
      if (r.escalate) routedReceivers.add(r.escalate.receiver);
    });
  raw.alerting.receivers.forEach((r, i) => {
    if (r.email && !raw.smtp) issues.push({ path: formatPath(['alerting', 'receivers', i, 'email']), message: 'email needs the smtp section' });
    if (r.webhook) {
      secrets.push(...secretsOfUrl(r.webhook.url));
      if (r.webhook.secret) secrets.push(r.webhook.secret);
      for (const [k, v] of Object.entries(r.webhook.headers)) if (/authorization|token|key|secret/i.test(k)) secrets.push(v);
    }
    secrets.push(...receiverSecrets(r));
    for (const k of RECEIVER_KINDS) {
      const url = (r[k] as { url?: string } | undefined)?.url;
      if (url && k !== 'webhook') secrets.push(...secretsOfUrl(url));
    }
    if (r.twilio && !r.twilio.to?.length && routedReceivers.has(r.name))
      issues.push({ path: formatPath(['alerting', 'receivers', i, 'twilio', 'to']), message: 'needs at least one number: a route sends to this receiver' });
  });
  checkOnCall(raw, receiverNames, issues);
  if (raw.alerting.ack_secret) secrets.push(raw.alerting.ack_secret);
  if (raw.auth.oidc?.client_secret) secrets.push(raw.auth.oidc.client_secret);
  // A ping URL usually carries its secret in the path: the whole URL is a secret.
  if (raw.self_heartbeat) secrets.push(raw.self_heartbeat.url, ...secretsOfUrl(raw.self_heartbeat.url));
  if (raw.reports.weekly && !raw.smtp) issues.push({ path: 'reports.weekly', message: 'sending reports needs the smtp section' });
  if (raw.smtp) {
    secrets.push(...secretsOfUrl(raw.smtp.url));
    if (raw.smtp.password) secrets.push(raw.smtp.password);
  }

  if (issues.length) throw fail();
  return {
    raw,
    defaults,
    systems,
    targets,
    storage: { rawRetentionMs: durationMs(raw.storage.raw_retention), rollupRetentionMs: durationMs(raw.storage.rollup_retention) },
    locations: { partition: { minTargets: raw.locations.partition.min_targets, share: raw.locations.partition.share } },
    secrets,
  };
}

/**
 * People, schedules, escalation policies and heartbeats: unique names, known references, schedules
 * that compile. The API checks a person, schedule or policy it is given with this same function,
 * over the config's entries and the API's together (libs/oncall/src/api-definitions.ts).
 */
export function checkOnCall(raw: Pick<RawConfig, 'people' | 'schedules' | 'escalation_policies' | 'heartbeats' | 'alerting'>, receiverNames: Set<string>, issues: ConfigIssue[]): void {
  duplicates(raw.people, (p) => p.name, (i) => ['people', i, 'name'], 'person', issues);
  duplicates(raw.schedules, (s) => s.name, (i) => ['schedules', i, 'name'], 'schedule', issues);
  duplicates(raw.escalation_policies, (p) => p.name, (i) => ['escalation_policies', i, 'name'], 'escalation policy', issues);
  duplicates(raw.heartbeats, (h) => h.name, (i) => ['heartbeats', i, 'name'], 'heartbeat', issues);
  const people = new Set(raw.people.map((p) => p.name));
  const schedules = new Set(raw.schedules.map((s) => s.name));
  for (const i of compileSchedules(raw.schedules, people).issues) issues.push({ path: formatPath(i.path), message: i.message });
  raw.escalation_policies.forEach((p, i) =>
    p.steps.forEach((st, j) => {
      const at = formatPath(['escalation_policies', i, 'steps', j, 'notify']);
      if (st.notify.schedule && !schedules.has(st.notify.schedule)) issues.push({ path: `${at}.schedule`, message: `unknown schedule ${JSON.stringify(st.notify.schedule)}` });
      if (st.notify.person && !people.has(st.notify.person)) issues.push({ path: `${at}.person`, message: `unknown person ${JSON.stringify(st.notify.person)}` });
      if (st.notify.receiver && !receiverNames.has(st.notify.receiver)) issues.push({ path: `${at}.receiver`, message: `unknown receiver ${JSON.stringify(st.notify.receiver)}` });
    }),
  );
  raw.people.forEach((p, i) =>
    Object.entries(p.via ?? {}).forEach(([method, r]) => {
      const kind = PERSON_METHOD_KIND[method as keyof typeof PERSON_METHOD_KIND];
      const receiver = raw.alerting.receivers.find((x) => x.name === r);
      if (!receiver) issues.push({ path: formatPath(['people', i, 'via', method]), message: `unknown receiver ${JSON.stringify(r)}` });
      else if (!receiver[kind]) issues.push({ path: formatPath(['people', i, 'via', method]), message: `receiver ${JSON.stringify(r)} has no ${kind} settings` });
    }),
  );
  // A route's escalation_policy is not checked against the config's policies: it may name one
  // made over the API (POST /api/v1/escalation-policies), which the dispatcher sees as well.
}

function findCycle(edges: [string, string[]][]): string[] | undefined {
  const graph = new Map(edges);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (d === n) continue; // reported separately
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const [n] of edges) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

/**
 * The probe interval that bounds how precisely Nines saw something happen to a system member
 * (or, without a member, to the system's endpoint; else its slowest member).
 */
export function intervalOf(config: NinesConfig, system: string, member?: string): number | undefined {
  const byKey = (k: string) => config.targets.find((t) => t.key === k)?.intervalMs;
  const own = member ? byKey(`${system}/${member}`) : undefined;
  if (own !== undefined) return own;
  const endpoint = byKey(`${system}/@endpoint`);
  if (endpoint !== undefined) return endpoint;
  const members = config.targets.filter((t) => t.system === system).map((t) => t.intervalMs);
  return members.length ? Math.max(...members) : undefined;
}
