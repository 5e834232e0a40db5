import { z } from 'zod';
import { formatDuration } from '../../../common/src/duration';
import type { DriverEvent, ProbeContext, ProbeDriver, Watch, WatchContext } from '../driver';
import type { Observation, PeerSeen } from '../observation';
import { reasonFromError } from '../reasons';
import { hostPort, parseHostPort } from './fields';
import { RespConnection, RespError, RespProtocolError, type RespValue } from './resp';

export const redisSentinelSchema = z
  .object({
    sentinels: z.array(hostPort).min(1, 'needs at least one sentinel'),
    master: z.string().min(1, 'is the name the sentinels monitor'),
    /** Password of the Redis master (used to check that the agreed master really is one). */
    password: z.string().min(1).optional(),
    /** Password of the sentinels themselves (requirepass in sentinel.conf). */
    sentinel_password: z.string().min(1).optional(),
  })
  .strict();
export type RedisSentinelSpec = z.infer<typeof redisSentinelSchema>;

/** What one sentinel told us; `error` set when it could not be asked at all. */
export interface SentinelView {
  address: string;
  error?: string;
  /** The sentinel answered but does not monitor a master of that name. */
  unknownMaster?: boolean;
  /** SENTINEL MASTER <name> as a map (flags, config-epoch, quorum, num-other-sentinels, …). */
  master?: Record<string, string>;
  /** SENTINEL GET-MASTER-ADDR-BY-NAME as host:port. */
  addr?: string;
  ckquorum?: { ok: boolean; message: string };
  /** SENTINEL REPLICAS <name>, each as a map. */
  replicas?: Record<string, string>[];
}

/** What the agreed master says of itself (ROLE), when Nines could ask it. */
export interface MasterSelfView {
  role?: string;
  offset?: number;
  replicaOffsets?: Record<string, number>;
  error?: string;
  /** No connection, for certain (refused, reset, no route): what a client sent there by the sentinels meets too. */
  unreachable?: boolean;
}

/** Turns a flat [k1, v1, k2, v2, …] reply into a map. */
export function flatToMap(v: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = v[i + 1] == null ? '' : String(v[i + 1]);
  return out;
}

function flags(m: Record<string, string> | undefined): string[] {
  return (m?.flags ?? '').split(',').filter(Boolean);
}

function replicaProblem(r: Record<string, string>): string | undefined {
  const bad = flags(r).filter((f) => f !== 'slave' && f !== 'replica' && f !== 'master');
  if (bad.length) return bad.join(',');
  if (r['master-link-status'] && r['master-link-status'] !== 'ok') return `master link ${r['master-link-status']}`;
  return undefined;
}

export function majorityOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * The service view from a set of sentinels: up when a majority of the configured sentinels name
 * the same master and at least one of them confirms (CKQUORUM) that a failover could be
 * authorized. Anything less than unanimous and healthy becomes a warning.
 */
export function interpretSentinelViews(masterName: string, views: SentinelView[], self?: MasterSelfView): Observation {
  const n = views.length;
  const needed = majorityOf(n);
  const reachable = views.filter((v) => !v.error);
  const details: Record<string, unknown> = {
    master_name: masterName,
    sentinels_configured: n,
    sentinels_needed: needed,
    sentinels: views.map((v) => ({
      address: v.address,
      reachable: !v.error,
      error: v.error,
      monitors_master: v.error ? undefined : !v.unknownMaster,
      master_addr: v.addr,
      config_epoch: v.master?.['config-epoch'] !== undefined ? Number(v.master['config-epoch']) : undefined,
      master_flags: v.master?.flags,
      ckquorum: v.ckquorum?.message,
      num_other_sentinels: v.master?.['num-other-sentinels'] !== undefined ? Number(v.master['num-other-sentinels']) : undefined,
      quorum: v.master?.quorum !== undefined ? Number(v.master.quorum) : undefined,
      failover_state: v.master?.['failover-state'],
    })),
  };
  if (!reachable.length) {
    const reasons = [...new Set(views.map((v) => v.error))];
    return { up: false, reason: reasons.length === 1 ? `no sentinel reachable: ${reasons[0]}` : `no sentinel reachable (${views.map((v) => `${v.address}: ${v.error}`).join('; ')})`, details };
  }
  const knowing = reachable.filter((v) => v.addr);
  if (!knowing.length) return { up: false, reason: `no sentinel monitors a master named ${JSON.stringify(masterName)}`, details };

  const tally = new Map<string, number>();
  for (const v of knowing) tally.set(v.addr!, (tally.get(v.addr!) ?? 0) + 1);
  const ranked = [...tally.entries()].sort((a, b) => b[1] - a[1]);
  const [leader, agreeCount] = ranked[0];
  details.sentinels_agreeing = agreeCount;
  details.master_addr = leader;
  if (agreeCount < needed) {
    const reason =
      ranked.length > 1
        ? `sentinels disagree on the master: ${ranked.map(([a, c]) => `${a} (${c})`).join(', ')}; ${needed} of ${n} must agree`
        : `only ${agreeCount} of ${n} sentinels name a master (${leader}); ${needed} must agree`;
    return { up: false, reason, details };
  }
  const agreeing = knowing.filter((v) => v.addr === leader);
  const masterTable = agreeing.find((v) => v.master)?.master;
  const epochs = agreeing.map((v) => Number(v.master?.['config-epoch'])).filter(Number.isFinite);
  const epoch = epochs.length ? String(Math.max(...epochs)) : undefined;

  const obs: Observation = { up: true, leader, epoch, details };
  if (!agreeing.some((v) => v.ckquorum?.ok)) {
    const msg = agreeing.find((v) => v.ckquorum)?.ckquorum?.message ?? 'no answer';
    return { ...obs, up: false, reason: `CKQUORUM failed: ${msg}` };
  }
  if (agreeing.some((v) => flags(v.master).includes('o_down'))) {
    return { ...obs, up: false, reason: `master ${masterName} at ${leader} is o_down` };
  }
  // Clients ask the sentinels for the master and connect to it. When that master is gone, they fail
  // from that moment, while the sentinels still name it until down-after-milliseconds (30 s by
  // default) and a quorum declare it o_down: an outage from the first refused connection, not from o_down.
  if (self?.unreachable) {
    return { ...obs, up: false, reason: `master ${masterName} at ${leader} (named by ${agreeCount} of ${n} sentinels) ${self.error}` };
  }

  const warnings: string[] = [];
  for (const v of views) {
    if (v.error) warnings.push(`sentinel ${v.address} unreachable: ${v.error}`);
    else if (v.unknownMaster || !v.addr) warnings.push(`sentinel ${v.address} does not monitor ${masterName}`);
    else if (v.addr !== leader) warnings.push(`sentinel ${v.address} says the master is ${v.addr}, not ${leader}`);
    else if (v.ckquorum && !v.ckquorum.ok) warnings.push(`sentinel ${v.address}: ${v.ckquorum.message}`);
  }
  const sdownBy = agreeing.filter((v) => flags(v.master).includes('s_down')).map((v) => v.address);
  if (sdownBy.length) warnings.push(`master ${leader} is s_down for sentinel ${sdownBy.join(', ')}`);
  if (new Set(epochs).size > 1) warnings.push(`sentinels report different config epochs (${[...new Set(epochs)].join(', ')})`);

  const masterFlags = flags(masterTable).filter((f) => f !== 'master');
  const peers: PeerSeen[] = [{ id: leader, role: 'primary', state: masterFlags.length ? masterFlags.join(',') : 'ok', details: { flags: masterTable?.flags } }];
  const replicas = agreeing.find((v) => v.replicas)?.replicas ?? [];
  let healthy = 0;
  for (const r of replicas) {
    const id = r.ip && r.port ? `${r.ip}:${r.port}` : r.name;
    const problem = replicaProblem(r);
    const upstream = r['master-host'] && r['master-host'] !== '?' ? `${r['master-host']}:${r['master-port']}` : undefined;
    const offset = r['slave-repl-offset'] !== undefined ? Number(r['slave-repl-offset']) : undefined;
    const selfOffset = self?.replicaOffsets?.[id];
    const peer: PeerSeen = {
      id,
      role: 'replica',
      state: problem ?? 'ok',
      lagBytes: self?.offset !== undefined && selfOffset !== undefined ? Math.max(0, self.offset - selfOffset) : undefined,
      details: {
        flags: r.flags,
        master_link_status: r['master-link-status'],
        master_link_down_time_ms: r['master-link-down-time'] !== undefined ? Number(r['master-link-down-time']) : undefined,
        replicates_from: upstream,
        repl_offset: offset,
        priority: r['slave-priority'] ?? r['replica-priority'],
      },
    };
    peers.push(peer);
    if (problem) warnings.push(`replica ${id}: ${problem}`);
    else if (upstream && upstream !== leader) warnings.push(`replica ${id} replicates from ${upstream}, not ${leader}`);
    else healthy++;
  }
  if (!healthy) warnings.push(replicas.length ? 'no healthy replica to fail over to' : 'no replica known to the sentinels: nothing to fail over to');

  if (self) {
    details.master_self_role = self.role;
    if (self.error) warnings.push(`master ${leader}: ${self.error}`);
    else if (self.role && self.role !== 'master') warnings.push(`sentinels name ${leader} as master but it reports role ${self.role}`);
  }
  obs.peers = peers;
  details.replicas = replicas.length;
  details.healthy_replicas = healthy;
  if (warnings.length) obs.warning = warnings.join('; ');
  return obs;
}

function authFailure(r: RespError): string {
  return `authentication failed: ${r.message.replace(/^(WRONGPASS|ERR)\s*/, '')}`;
}

/** Connects and authenticates; returns the connection or the reason it could not. */
async function openRedis(address: string, password: string | undefined, signal: AbortSignal): Promise<RespConnection> {
  const hp = parseHostPort(address)!;
  const conn = await RespConnection.connect({ host: hp.host, port: hp.port, signal });
  if (password) {
    const r = await conn.command('AUTH', password);
    if (r instanceof RespError) {
      conn.close();
      throw new AuthError(authFailure(r));
    }
  }
  return conn;
}

class AuthError extends Error {}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof AuthError) return err.message;
  if (err instanceof RespProtocolError) return `protocol error: ${err.message}`;
  return reasonFromError(err, timeoutMs);
}

/** Asks one sentinel everything in one pipelined round trip. */
export async function querySentinel(address: string, spec: RedisSentinelSpec, signal: AbortSignal, timeoutMs: number): Promise<SentinelView> {
  let conn: RespConnection | undefined;
  try {
    conn = await openRedis(address, spec.sentinel_password, signal);
    const [master, addr, ck, replicas] = await Promise.all([
      conn.command('SENTINEL', 'MASTER', spec.master),
      conn.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', spec.master),
      conn.command('SENTINEL', 'CKQUORUM', spec.master),
      conn.command('SENTINEL', 'REPLICAS', spec.master),
    ]);
    if (master instanceof RespError) {
      if (/NOAUTH/.test(master.message)) return { address, error: 'authentication required (set sentinel_password)' };
      if (/No such master/i.test(master.message)) return { address, unknownMaster: true };
      if (/unknown command|unknown subcommand/i.test(master.message)) return { address, error: 'not a sentinel (SENTINEL command unknown)' };
      return { address, error: `SENTINEL MASTER failed: ${master.message}` };
    }
    if (!Array.isArray(master)) return { address, error: 'protocol error: SENTINEL MASTER returned an unexpected reply' };
    const view: SentinelView = { address, master: flatToMap(master) };
    if (Array.isArray(addr) && addr.length === 2 && addr[0] != null) view.addr = `${addr[0]}:${addr[1]}`;
    if (ck instanceof RespError) view.ckquorum = { ok: false, message: ck.message };
    else if (typeof ck === 'string') view.ckquorum = { ok: /^OK/.test(ck), message: ck };
    let reps = replicas;
    if (reps instanceof RespError) reps = await conn.command('SENTINEL', 'SLAVES', spec.master); // before Redis 5
    if (Array.isArray(reps)) view.replicas = reps.map(flatToMap);
    return view;
  } catch (err) {
    return { address, error: describeFailure(err, timeoutMs) };
  } finally {
    conn?.close();
  }
}

/** ROLE on the agreed master: does it think it is a master, and how far behind are its replicas? */
async function askMaster(address: string, password: string | undefined, signal: AbortSignal, timeoutMs: number): Promise<MasterSelfView> {
  let conn: RespConnection | undefined;
  try {
    conn = await openRedis(address, password, signal);
    const r = await conn.command('ROLE');
    if (r instanceof RespError) {
      if (/NOAUTH/.test(r.message)) return { error: 'authentication required (set password)' };
      return { error: `ROLE failed: ${r.message}` };
    }
    if (!Array.isArray(r) || typeof r[0] !== 'string') return { error: 'protocol error: ROLE returned an unexpected reply' };
    const self: MasterSelfView = { role: r[0] };
    if (r[0] === 'master') {
      self.offset = Number(r[1]);
      self.replicaOffsets = {};
      for (const rep of Array.isArray(r[2]) ? r[2] : []) {
        if (Array.isArray(rep)) self.replicaOffsets[`${rep[0]}:${rep[1]}`] = Number(rep[2]);
      }
    }
    return self;
  } catch (err) {
    if (err instanceof AuthError) return { error: err.message };
    // Only a definite answer counts as the master being gone: refused or reset by the peer, no route to
    // it. A timeout within the small share of the probe's budget left for ROLE stays a warning, so a
    // busy prober does not page; a master whose host vanished is down for the sentinels soon enough.
    const definite = ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'].includes(String((err as NodeJS.ErrnoException)?.code));
    return { error: `unreachable from Nines: ${describeFailure(err, timeoutMs)}`, ...(definite ? { unreachable: true } : {}) };
  } finally {
    conn?.close();
  }
}

/** A budget slice: one slow sentinel must not turn the whole probe into a timeout. */
function slice(parent: AbortSignal, ms: number): { signal: AbortSignal; done(): void } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const onParent = () => ac.abort();
  parent.addEventListener('abort', onParent, { once: true });
  return {
    signal: ac.signal,
    done() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

export async function probeRedisSentinel(spec: RedisSentinelSpec, ctx: ProbeContext): Promise<Observation> {
  const perSentinelMs = Math.max(200, Math.floor(ctx.timeoutMs * 0.6));
  const views = await Promise.all(
    spec.sentinels.map(async (address) => {
      const s = slice(ctx.signal, perSentinelMs);
      try {
        return await querySentinel(address, spec, s.signal, perSentinelMs);
      } finally {
        s.done();
      }
    }),
  );
  const first = interpretSentinelViews(spec.master, views);
  if (!first.leader || !first.up) return first;
  const s = slice(ctx.signal, Math.max(200, Math.floor(ctx.timeoutMs * 0.3)));
  try {
    const self = await askMaster(first.leader, spec.password, s.signal, Math.floor(ctx.timeoutMs * 0.3));
    return interpretSentinelViews(spec.master, views, self);
  } finally {
    s.done();
  }
}

// ---------------------------------------------------------------------------------------------
// watch(): the sentinels' own event stream.

/** Events worth an engineer's attention (and a re-probe); hello chatter and the rest are ignored. */
const WATCHED = /^(\+|-)(sdown|odown)$|^\+switch-master$|^\+failover-state-|^\+failover-end(-for-timeout)?$|^-failover-abort-|^\+promoted-slave$|^\+convert-to-slave$|^\+reboot$|^\+new-epoch$|^\+try-failover$|^\+elected-leader$|^[+-]tilt$/;

export interface ParsedSentinelEvent {
  kind: string;
  message: string;
  /** Identifies the same event told by different sentinels (their texts differ in "#quorum 2/2"). */
  key: string;
  details: Record<string, unknown>;
}

/**
 * Interprets one pub/sub message from a sentinel. Returns undefined for channels we do not watch
 * and for events about other masters. Instance events read
 * "<type> <name> <ip> <port> [@ <master> <ip> <port>]"; +switch-master reads
 * "<master> <old ip> <old port> <new ip> <new port>".
 */
export function parseSentinelEvent(channel: string, payload: string, masterName: string): ParsedSentinelEvent | undefined {
  if (!WATCHED.test(channel)) return undefined;
  const words = payload.trim().split(/\s+/);
  if (channel === '+switch-master') {
    const [name, oldIp, oldPort, newIp, newPort] = words;
    if (name !== masterName) return undefined;
    return {
      kind: channel,
      message: `+switch-master ${name} ${oldIp} ${oldPort} → ${newIp} ${newPort}`,
      key: `${channel} ${payload.trim()}`,
      details: { master_name: name, old_master: `${oldIp}:${oldPort}`, new_master: `${newIp}:${newPort}` },
    };
  }
  if (channel === '+new-epoch' || /tilt$/.test(channel)) {
    return { kind: channel, message: `${channel} ${payload.trim()}`.trim(), key: `${channel} ${payload.trim()}`, details: channel === '+new-epoch' ? { epoch: Number(words[0]) } : {} };
  }
  const hashAt = words.findIndex((w) => w.startsWith('#'));
  const core = hashAt >= 0 ? words.slice(0, hashAt) : words;
  const extra = hashAt >= 0 ? words.slice(hashAt).join(' ') : undefined;
  const [type, name, ip, port] = core;
  const at = core.indexOf('@');
  const owner = at >= 0 ? core[at + 1] : type === 'master' ? name : undefined;
  if (owner !== masterName) return undefined;
  const instance = type === 'master' ? `master ${name} ${ip}:${port}` : `${type} ${ip}:${port}`;
  const details: Record<string, unknown> = { instance_type: type, instance: `${ip}:${port}`, master_name: owner };
  if (at >= 0) details.master = `${core[at + 2]}:${core[at + 3]}`;
  if (extra) details.extra = extra;
  return {
    kind: channel,
    message: `${channel} ${instance}${at >= 0 && type !== 'master' ? ` (master ${owner} ${core[at + 2]}:${core[at + 3]})` : ''}${extra ? ` ${extra}` : ''}`,
    key: `${channel} ${core.join(' ')}`,
    details,
  };
}

/**
 * Folds the same event heard from several sentinels into one: the first is emitted at once (the
 * engine re-probes on it), later copies within the window only add their sentinel to
 * details.reported_by / details.reporters of that first event. The same sentinel telling the same
 * event again is a new occurrence (an +sdown that flapped).
 */
export class SentinelEventDeduper {
  private seen = new Map<string, { at: number; reporters: string[]; event: DriverEvent }>();

  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the event to emit, or undefined when it is a copy of one already emitted. */
  offer(sentinel: string, parsed: ParsedSentinelEvent): DriverEvent | undefined {
    const t = this.now();
    for (const [k, v] of this.seen) if (t - v.at > this.windowMs) this.seen.delete(k);
    const prior = this.seen.get(parsed.key);
    if (prior && !prior.reporters.includes(sentinel)) {
      prior.reporters.push(sentinel);
      prior.event.details!.reporters = prior.reporters.length;
      return undefined;
    }
    const reporters = [sentinel];
    const event: DriverEvent = { at: t, kind: parsed.kind, message: parsed.message, details: { ...parsed.details, reported_by: reporters, reporters: 1 } };
    this.seen.set(parsed.key, { at: t, reporters, event });
    return event;
  }
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;
const HEARTBEAT_MS = 5_000;

export function watchRedisSentinel(spec: RedisSentinelSpec, ctx: WatchContext, opts: { heartbeatMs?: number; connectTimeoutMs?: number } = {}): Watch {
  const dedup = new SentinelEventDeduper();
  const stops: (() => void)[] = [];
  let stopped = false;
  const report = (reason: string) => {
    try {
      ctx.onError?.(reason);
    } catch {
      /* a logger failing must not stop the watch */
    }
  };

  for (const address of spec.sentinels) {
    let conn: RespConnection | undefined;
    let ac: AbortController | undefined;
    let retry: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let backoff = BACKOFF_MIN_MS;
    let failedBefore = false;

    const scheduleRetry = (why: string) => {
      clearInterval(heartbeat);
      const old = conn;
      conn = undefined; // its close event then finds conn !== c and does not schedule twice
      old?.close();
      if (stopped) return;
      report(`sentinel ${address}: ${why}; reconnecting in ${formatDuration(backoff)}`);
      failedBefore = true;
      retry = setTimeout(connect, backoff);
      backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
    };

    const connect = async () => {
      if (stopped) return;
      ac = new AbortController();
      const connectTimeout = opts.connectTimeoutMs ?? 3000;
      const timer = setTimeout(() => ac?.abort(), connectTimeout);
      try {
        const c = await openRedis(address, spec.sentinel_password, ac.signal);
        conn = c;
        c.onPush((m) => {
          // ["pmessage", pattern, channel, payload]
          if (m.length < 4 || typeof m[2] !== 'string' || typeof m[3] !== 'string') return;
          const parsed = parseSentinelEvent(m[2], m[3], spec.master);
          if (!parsed) return;
          const event = dedup.offer(address, parsed);
          if (!event) return;
          try {
            ctx.emit(event);
          } catch {
            /* the consumer's problem, not a reason to drop the subscription */
          }
        });
        const sub = await c.command('PSUBSCRIBE', '*');
        clearTimeout(timer);
        if (sub instanceof RespError) throw new AuthError(/NOAUTH/.test(sub.message) ? 'authentication required (set sentinel_password)' : `PSUBSCRIBE failed: ${sub.message}`);
        if (stopped) return c.close();
        c.onFailure((e) => {
          if (conn === c) scheduleRetry(describeFailure(e, connectTimeout));
        });
        if (failedBefore) report(`sentinel ${address}: subscribed again`);
        failedBefore = false;
        backoff = BACKOFF_MIN_MS;
        // A wedged sentinel or a silent network keeps a subscription open forever: ping it.
        heartbeat = setInterval(() => {
          const hb = new Promise<'late'>((r) => setTimeout(() => r('late'), opts.heartbeatMs ?? HEARTBEAT_MS).unref());
          Promise.race([c.command('PING'), hb])
            .then((r) => {
              if (r === 'late' && conn === c) scheduleRetry('no answer to PING');
            })
            .catch(() => undefined); // onFailure handles a broken connection
        }, opts.heartbeatMs ?? HEARTBEAT_MS);
      } catch (err) {
        clearTimeout(timer);
        scheduleRetry(describeFailure(err, connectTimeout));
      }
    };
    void connect();
    stops.push(() => {
      clearTimeout(retry);
      clearInterval(heartbeat);
      ac?.abort();
      conn?.close();
    });
  }
  return {
    async stop() {
      stopped = true;
      for (const s of stops) s();
    },
  };
}

export const redisSentinelDriver: ProbeDriver<RedisSentinelSpec> = {
  kind: 'redis-sentinel',
  schema: redisSentinelSchema,
  secrets: (spec) => [spec.password, spec.sentinel_password].filter((s): s is string => !!s),
  probe: probeRedisSentinel,
  watch: (spec, ctx) => watchRedisSentinel(spec, ctx),
};
