import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNinesProcess, type NinesProcess } from './nines-process';
import { startPostgresServer, type PostgresServer } from './servers/postgres-pair';
import { startRedis, type RedisNode } from './servers/redis-ha';
import { pidAlive, spawnServer, type Spawned } from './servers/spawned';
import { sleep, waitFor, waitUntil } from './wait';

/**
 * The location lab (issue 17): three prober locations in network namespaces, a place for targets
 * and a keepalived VRRP pair, joined by a router namespace the lab can cut per location.
 *
 *   host ── nl-br0 198.19.60.1/24 ── svc of nl-dc1 .11, nl-dc2 .12, nl-dc3 .13  (Nines' Redis and
 *                                    PostgreSQL listen on 198.19.60.1: never cut)
 *   nl-dcN "wan" 198.19.61.(4N+2)/30 ── c-dcN of nl-core (the router)
 *   nl-core c-tgt 198.19.62.1 ── nl-tgt 198.19.62.(10+i)   one nginx per target on its own address
 *                                                          (port 16601+i), each killed on its own
 *   nl-core br-a 198.19.63.1 ─ trunk ─ br-b 198.19.63.2   two bridges joined by a veth pair: one L2
 *      └ nl-lb1 .11                      └ nl-lb2 .12      segment, VIP 198.19.63.100:16110
 *
 * Which holder a location reaches is fixed by policy routing in nl-core: traffic coming in from
 * dc1 and dc3 reaches the VIP subnet out of br-a, from dc2 out of br-b. While the trunk is up that
 * is one segment with one VRRP master, so all see the same holder. splitVip() takes the trunk down:
 * the adverts no longer cross, lb2 becomes MASTER on its half too (lb1 stays MASTER on br-a), and
 * since neighbour entries are per device, br-a resolves the VIP to lb1 and br-b to lb2: dc1 and dc3
 * see lb1, dc2 sees lb2, every time.
 *
 * cut(dcN) adds `ip rule iif c-dcN blackhole` in nl-core: every packet dcN sends towards targets or
 * the VIP is dropped silently (no ICMP), so probes time out as across a real cut, while its svc
 * link to Redis and PostgreSQL stays. (No tc qdiscs or netfilter on this kernel; the rule is the
 * drop available everywhere iproute2 is.) cutTarget(dcN, name) does the same for one target's
 * address only: one location losing one target, below any partition threshold.
 *
 * Addresses come from 198.19.60.0/22 (RFC 2544 benchmarking; the keepalived lab has 198.18.0.0/16).
 * Before anything is created, 198.19.60.0/22 is routed "unreachable" and that route is kept after
 * teardown: a probe of a torn-down lab fails here instead of leaving by the default route.
 */
export const LOCATIONS = ['dc1', 'dc2', 'dc3'] as const;
export type Location = (typeof LOCATIONS)[number];

export const LOC_NET = {
  guard: '198.19.60.0/22',
  host: '198.19.60.1',
  services: '198.19.60.0/24',
  /** The first target's address; target i has 198.19.62.(10+i). */
  targetAddr: '198.19.62.10',
  targetBasePort: 16601,
  vip: '198.19.63.100',
  vipPort: 16110,
  lb: { lb1: '198.19.63.11', lb2: '198.19.63.12' },
} as const;

const NS = { core: 'nl-core', tgt: 'nl-tgt', lb1: 'nl-lb1', lb2: 'nl-lb2' } as const;
const locNs = (loc: string) => `nl-${loc}`;
const ALL_NS = [...LOCATIONS.map(locNs), NS.core, NS.tgt, NS.lb1, NS.lb2];
const HOST_BRIDGE = 'nl-br0';
const OWNER_FILE = join(tmpdir(), 'nines-loclab.owner');
const VIP_HEADER = 'x-lab-node';
/** Which half of the VIP segment each location's traffic leaves nl-core by (see above). */
const VIP_SIDE: Record<Location, 'a' | 'b'> = { dc1: 'a', dc2: 'b', dc3: 'a' };
const CUT_PREF = (loc: Location) => 50 + LOCATIONS.indexOf(loc);
const TARGET_CUT_PREF = '60';
const targetAddr = (i: number) => `198.19.62.${10 + i}`;

function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

async function must(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`location lab: ${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}
const ip = (...args: string[]) => must('ip', args);

/** What a location sees at an URL: the status and the node header, or why it could not connect. */
export interface Seen {
  status?: number;
  node?: string;
  body?: string;
  /** curl's exit: 'timeout' (28), 'connect' (7: refused or unreachable), or its message. */
  error?: string;
  ms: number;
}

/** One HTTP GET from inside a namespace (curl, so the test process stays on the host). */
export async function httpFromNs(ns: string, url: string, timeoutMs = 1000): Promise<Seen> {
  const t0 = Date.now();
  const r = await run('ip', ['netns', 'exec', ns, 'curl', '-sS', '-i', '--max-time', String(timeoutMs / 1000), url], timeoutMs + 5000);
  const ms = Date.now() - t0;
  if (r.code !== 0) return { error: r.code === 28 ? 'timeout' : r.code === 7 ? `connect: ${r.stderr.trim()}` : r.stderr.trim() || `curl exit ${r.code}`, ms };
  const [head, ...rest] = r.stdout.split('\r\n\r\n');
  const status = Number(/^HTTP\/\S+ (\d+)/.exec(head)?.[1]);
  const node = new RegExp(`^${VIP_HEADER}: *(.*)$`, 'im').exec(head)?.[1]?.trim();
  return { status, node, body: rest.join('\r\n\r\n'), ms };
}

function nginxConf(dir: string, name: string, listen: string, header: string): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/${name}.nginx.pid;
error_log ${dir}/${name}.log notice;
events { worker_connections 256; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path ${dir}/tmp/${name}-body;
  proxy_temp_path ${dir}/tmp/${name}-proxy;
  fastcgi_temp_path ${dir}/tmp/${name}-fastcgi;
  uwsgi_temp_path ${dir}/tmp/${name}-uwsgi;
  scgi_temp_path ${dir}/tmp/${name}-scgi;
  server {
    listen ${listen};
    add_header ${header} ${name} always;
    location / { return 200 "${name}\\n"; }
  }
}
`;
}

function keepalivedConf(node: 'lb1' | 'lb2'): string {
  // garp_master_refresh: a master repeats its gratuitous ARP every second, so after healVip() the
  // half that followed lb2 learns lb1 again within a second instead of when its ARP entry ages out.
  return `global_defs {
  router_id nl-${node}
  script_user root
  enable_script_security
  vrrp_garp_master_delay 1
  vrrp_garp_master_repeat 3
  vrrp_garp_master_refresh 1
}
vrrp_instance nl_vip {
  state ${node === 'lb1' ? 'MASTER' : 'BACKUP'}
  interface eth0
  virtual_router_id 60
  priority ${node === 'lb1' ? 150 : 100}
  advert_int 1
  virtual_ipaddress {
    ${LOC_NET.vip}/24 dev eth0
  }
}
`;
}

export interface LabTarget {
  name: string;
  address: string;
  port: number;
  url: string;
}

export interface LocationLab {
  dir: string;
  locations: readonly Location[];
  targets: LabTarget[];
  vipUrl: string;
  postgres: PostgresServer;
  redis: RedisNode;
  redisUrl: string;
  /** Nines' own database on the lab PostgreSQL (Nines creates it). */
  databaseUrl(name: string): string;
  ns(loc: Location): string;
  /** GET from a location, through its link to the targets. */
  httpFrom(loc: Location, url: string, timeoutMs?: number): Promise<Seen>;
  /** A command inside a location's namespace (redis-cli, pg_isready…); its exit code and output. */
  runIn(loc: Location, cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Drops every packet from the location towards targets and the VIP; returns when it was cut. */
  cut(loc: Location): Promise<number>;
  heal(loc: Location): Promise<number>;
  /** Drops what one location sends to one target only. */
  cutTarget(loc: Location, name: string): Promise<number>;
  healTarget(loc: Location, name: string): Promise<number>;
  /** SIGKILLs the target's server (connections are refused from everywhere); returns the kill's epoch ms. */
  failTarget(name: string): Promise<number>;
  restoreTarget(name: string): Promise<number>;
  /** Cuts the VRRP segment in two and waits until dc1 sees lb1 and dc2 sees lb2 at the VIP. */
  splitVip(): Promise<number>;
  healVip(): Promise<number>;
  /** The lb namespaces that hold the VIP address now. */
  vipHolders(): Promise<string[]>;
  /** Records a host process started for the lab (Nines' api), so a crashed run's is killed by the next. */
  adopt(pid: number | undefined): void;
  startProber(loc: Location, opts: { configPath: string; databaseUrl: string; env?: Record<string, string> }): Promise<NinesProcess>;
  probers: Map<Location, NinesProcess>;
  killProber(loc: Location): Promise<number>;
  teardown(): Promise<void>;
}


/**
 * One lab per machine (the names are fixed). The owner file records the test process using it,
 * its data directory and the host-side processes it started (Redis, PostgreSQL, Nines' api): a live
 * owner is waited for; a dead owner's leftovers (a crashed run) are removed before building anew.
 */
interface Owner {
  pid: number;
  dir: string;
  hostPids: number[];
}

function readOwner(): Owner | undefined {
  try {
    return JSON.parse(readFileSync(OWNER_FILE, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** A host process of a crashed lab: it was given the lab's address (argv or environment). */
function usesLab(pid: number): boolean {
  try {
    return [`/proc/${pid}/cmdline`, `/proc/${pid}/environ`].some((f) => readFileSync(f, 'latin1').includes(LOC_NET.host));
  } catch {
    return false;
  }
}

function removeLeftovers(o: Owner | undefined): void {
  for (const pid of o?.hostPids ?? []) {
    if (!pidAlive(pid) || !usesLab(pid)) continue;
    // A postmaster's data lives in its private directory: -D <dir>/primary.
    const pgDir = /-D\0?\s?([^\0 ]+)\/primary/.exec(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))?.[1];
    process.kill(pid, 'SIGKILL');
    if (pgDir?.startsWith(join(tmpdir(), 'nines-pg-'))) rmSync(pgDir, { recursive: true, force: true });
  }
  removeNetwork();
  if (o?.dir?.startsWith(join(tmpdir(), 'nines-loclab-'))) rmSync(o.dir, { recursive: true, force: true });
  rmSync(OWNER_FILE, { force: true });
}

async function claim(dir: string, waitMs: number): Promise<Owner> {
  const deadline = Date.now() + waitMs;
  const me: Owner = { pid: process.pid, dir, hostPids: [] };
  for (;;) {
    try {
      writeFileSync(OWNER_FILE, JSON.stringify(me), { flag: 'wx' });
      return me;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner();
    if (owner && owner.pid !== process.pid && pidAlive(owner.pid)) {
      if (Date.now() > deadline) throw new Error(`location lab: in use by pid ${owner.pid} (${OWNER_FILE}); not touching its namespaces`);
      await sleep(500);
      continue;
    }
    removeLeftovers(owner);
  }
}

/** Kills whatever runs in the lab's namespaces (all of it started by the lab) and deletes them. */
function removeNetwork(): void {
  const existing = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const ns of ALL_NS) {
    if (!new RegExp(`^${ns}( |$)`, 'm').test(existing)) continue;
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    // A netns with processes still in it outlives `ip netns del` (the name goes, the links stay).
    for (const p of pids) for (let i = 0; i < 100 && pidAlive(p) && !zombie(p); i++) execFileSync('sleep', ['0.05']);
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
  try {
    execFileSync('ip', ['link', 'del', HOST_BRIDGE], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
  for (const loc of LOCATIONS) {
    try {
      execFileSync('ip', ['link', 'del', `${locNs(loc)}-s`], { stdio: 'ignore' });
    } catch {
      /* deleted with its namespace */
    }
  }
}

function zombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}

/** Nothing on the machine may use 198.19.60.0/22 but the lab's own guard route. */
async function checkRange(): Promise<void> {
  const inRange = /198\.19\.6[0-3]\./;
  const addrs = (await ip('-o', 'addr', 'show')).split('\n').filter((l) => inRange.test(l));
  if (addrs.length) throw new Error(`location lab: ${LOC_NET.guard} already has addresses on this machine:\n${addrs.join('\n')}`);
  const routes = (await ip('route', 'show', 'table', 'all')).split('\n').filter((l) => inRange.test(l) && !l.startsWith(`unreachable ${LOC_NET.guard}`));
  if (routes.length) throw new Error(`location lab: ${LOC_NET.guard} is already routed on this machine:\n${routes.join('\n')}`);
}

async function buildNetwork(targetCount: number): Promise<void> {
  const { stdout } = await run('ip', ['route', 'show', 'type', 'unreachable', LOC_NET.guard]);
  if (!stdout.trim()) await ip('route', 'add', 'unreachable', LOC_NET.guard);
  for (const ns of ALL_NS) {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  const sysctl = (ns: string, ...kv: string[]) => must('ip', ['netns', 'exec', ns, 'sysctl', '-qw', ...kv]);
  // The router forwards; it answers ARP only on the bridge that holds the asked address.
  await sysctl(NS.core, 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');

  // Services: a host bridge; each location's svc leg on it.
  await ip('link', 'add', HOST_BRIDGE, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
  await ip('addr', 'add', `${LOC_NET.host}/24`, 'dev', HOST_BRIDGE);
  await ip('link', 'set', HOST_BRIDGE, 'up');
  for (const [i, loc] of LOCATIONS.entries()) {
    const ns = locNs(loc);
    const n = i + 1;
    await ip('link', 'add', `${ns}-s`, 'type', 'veth', 'peer', 'name', 'svc', 'netns', ns);
    await ip('link', 'set', `${ns}-s`, 'master', HOST_BRIDGE, 'up');
    await ip('-n', ns, 'addr', 'add', `198.19.60.${10 + n}/24`, 'dev', 'svc');
    await ip('-n', ns, 'link', 'set', 'svc', 'up');
    // The uplink to the router, towards targets and the VIP.
    await ip('-n', NS.core, 'link', 'add', `c-${loc}`, 'type', 'veth', 'peer', 'name', 'wan', 'netns', ns);
    await ip('-n', NS.core, 'addr', 'add', `198.19.61.${4 * n + 1}/30`, 'dev', `c-${loc}`);
    await ip('-n', NS.core, 'link', 'set', `c-${loc}`, 'up');
    await ip('-n', ns, 'addr', 'add', `198.19.61.${4 * n + 2}/30`, 'dev', 'wan');
    await ip('-n', ns, 'link', 'set', 'dev', 'wan', 'up');
    await ip('-n', ns, 'route', 'add', '198.19.62.0/24', 'via', `198.19.61.${4 * n + 1}`);
    await ip('-n', ns, 'route', 'add', '198.19.63.0/24', 'via', `198.19.61.${4 * n + 1}`);
  }

  // Targets.
  await ip('-n', NS.core, 'link', 'add', 'c-tgt', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.tgt);
  await ip('-n', NS.core, 'addr', 'add', '198.19.62.1/24', 'dev', 'c-tgt');
  await ip('-n', NS.core, 'link', 'set', 'c-tgt', 'up');
  for (let i = 0; i < targetCount; i++) await ip('-n', NS.tgt, 'addr', 'add', `${targetAddr(i)}/24`, 'dev', 'eth0');
  await ip('-n', NS.tgt, 'link', 'set', 'eth0', 'up');
  await ip('-n', NS.tgt, 'route', 'add', '198.19.61.0/24', 'via', '198.19.62.1');

  // The VIP segment: two bridges and the trunk that makes them one.
  for (const [side, addr] of [['a', '198.19.63.1'], ['b', '198.19.63.2']] as const) {
    await ip('-n', NS.core, 'link', 'add', `br-${side}`, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0');
    await ip('-n', NS.core, 'addr', 'add', `${addr}/24`, 'dev', `br-${side}`);
    await ip('-n', NS.core, 'link', 'set', `br-${side}`, 'up');
    await ip('-n', NS.core, 'route', 'add', '198.19.63.0/24', 'dev', `br-${side}`, 'src', addr, 'table', side === 'a' ? '101' : '102');
  }
  await ip('-n', NS.core, 'link', 'add', 'tr-a', 'type', 'veth', 'peer', 'name', 'tr-b');
  await ip('-n', NS.core, 'link', 'set', 'tr-a', 'master', 'br-a', 'up');
  await ip('-n', NS.core, 'link', 'set', 'tr-b', 'master', 'br-b', 'up');
  for (const loc of LOCATIONS) await ip('-n', NS.core, 'rule', 'add', 'iif', `c-${loc}`, 'lookup', VIP_SIDE[loc] === 'a' ? '101' : '102', 'pref', '100');
  for (const [node, side, gw] of [['lb1', 'a', '198.19.63.1'], ['lb2', 'b', '198.19.63.2']] as const) {
    const ns = NS[node];
    await ip('-n', NS.core, 'link', 'add', node, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('-n', NS.core, 'link', 'set', node, 'master', `br-${side}`, 'up');
    await ip('-n', ns, 'addr', 'add', `${LOC_NET.lb[node]}/24`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'route', 'add', '198.19.61.0/24', 'via', gw);
  }
}

export async function startLocationLab(opts: { targets: string[]; waitForOtherRunMs?: number }): Promise<LocationLab> {
  if (process.getuid?.() !== 0) throw new Error('location lab: needs root (network namespaces, veths, bridges)');
  const dir = mkdtempSync(join(tmpdir(), 'nines-loclab-'));
  mkdirSync(join(dir, 'tmp'));
  let owner: Owner;
  try {
    owner = await claim(dir, opts.waitForOtherRunMs ?? 600_000);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const adopt = (pid: number | undefined) => {
    if (!pid) return;
    owner.hostPids.push(pid);
    writeFileSync(OWNER_FILE, JSON.stringify(owner));
  };
  const servers = new Map<string, Spawned>();
  const probers = new Map<Location, NinesProcess>();
  let postgres: PostgresServer | undefined;
  let redis: RedisNode | undefined;
  // A test process that dies must not leave the namespaces (and what runs in them) behind.
  const onExit = () => removeLeftovers(owner);
  process.once('exit', onExit);

  const teardown = async () => {
    await Promise.all([...probers.values()].map((p) => p.stop('SIGKILL').catch(() => undefined)));
    probers.clear();
    await Promise.all([...servers.values()].map((s) => s.kill()));
    servers.clear();
    await redis?.kill();
    await postgres?.stop().catch(() => undefined);
    redis = undefined;
    postgres = undefined;
    removeNetwork();
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', onExit);
    if (readOwner()?.pid === process.pid) rmSync(OWNER_FILE, { force: true });
  };

  if (opts.targets.length > 200) throw new Error('location lab: at most 200 targets (198.19.62.10-209)');
  const targets: LabTarget[] = opts.targets.map((name, i) => ({ name, address: targetAddr(i), port: LOC_NET.targetBasePort + i, url: `http://${targetAddr(i)}:${LOC_NET.targetBasePort + i}/` }));
  const startTarget = (t: LabTarget) => {
    servers.set(`target:${t.name}`, spawnServer('ip', ['netns', 'exec', NS.tgt, 'nginx', '-p', `${dir}/`, '-c', join(dir, `${t.name}.conf`), '-e', join(dir, `${t.name}.log`)]));
  };
  const target = (name: string) => {
    const t = targets.find((x) => x.name === name);
    if (!t) throw new Error(`location lab: no target ${name}`);
    return t;
  };
  const targetAnswers = async (t: LabTarget) => (await httpFromNs(NS.tgt, t.url, 500)).status === 200;

  try {
    await checkRange();
    await buildNetwork(targets.length);
    postgres = await startPostgresServer({ listen: LOC_NET.host, allow: LOC_NET.services });
    adopt(postgres.pid);
    redis = await startRedis(dir, { bind: LOC_NET.host, extra: ['--protected-mode', 'no'] });
    adopt(redis.proc.child.pid);
    for (const t of targets) {
      writeFileSync(join(dir, `${t.name}.conf`), nginxConf(dir, t.name, `${t.address}:${t.port}`, 'X-Lab-Target'));
      startTarget(t);
    }
    for (const node of ['lb1', 'lb2'] as const) {
      writeFileSync(join(dir, `web-${node}.conf`), nginxConf(dir, node, `0.0.0.0:${LOC_NET.vipPort}`, 'X-Lab-Node'));
      writeFileSync(join(dir, `ka-${node}.conf`), keepalivedConf(node));
      servers.set(`web:${node}`, spawnServer('ip', ['netns', 'exec', NS[node], 'nginx', '-p', `${dir}/`, '-c', join(dir, `web-${node}.conf`), '-e', join(dir, `web-${node}.log`)]));
      servers.set(
        `ka:${node}`,
        spawnServer('ip', ['netns', 'exec', NS[node], 'keepalived', '--dont-fork', '--log-console', '--log-detail', '--no-syslog', '--vrrp', '-f', join(dir, `ka-${node}.conf`), '-p', join(dir, `ka-${node}.pid`), '-r', join(dir, `ka-${node}.vrrp.pid`)]),
      );
    }
  } catch (err) {
    await teardown();
    throw err;
  }

  const vipHolders = async () => {
    const out: string[] = [];
    for (const node of ['lb1', 'lb2'] as const) if ((await ip('-n', NS[node], '-o', 'addr', 'show', 'dev', 'eth0')).includes(` ${LOC_NET.vip}/`)) out.push(node);
    return out;
  };
  const vipUrl = `http://${LOC_NET.vip}:${LOC_NET.vipPort}/`;
  const seenHolders = async () => Promise.all(LOCATIONS.map(async (loc) => (await httpFromNs(locNs(loc), vipUrl, 1000)).node));

  const lab: LocationLab = {
    dir,
    locations: LOCATIONS,
    targets,
    vipUrl,
    postgres: postgres!,
    redis: redis!,
    redisUrl: `redis://${LOC_NET.host}:${redis!.port}`,
    databaseUrl: (name) => postgres!.url(`${process.env.TEST_DB_PREFIX ?? 'nines_test_'}${name}`),
    ns: locNs,
    probers,
    httpFrom: (loc, url, timeoutMs) => httpFromNs(locNs(loc), url, timeoutMs),
    runIn: (loc, cmd, args) => run('ip', ['netns', 'exec', locNs(loc), cmd, ...args]),
    async cut(loc) {
      const { stdout } = await run('ip', ['-n', NS.core, 'rule', 'show', 'pref', String(CUT_PREF(loc))]);
      if (!stdout.trim()) await ip('-n', NS.core, 'rule', 'add', 'iif', `c-${loc}`, 'blackhole', 'pref', String(CUT_PREF(loc)));
      return Date.now();
    },
    async heal(loc) {
      await run('ip', ['-n', NS.core, 'rule', 'del', 'pref', String(CUT_PREF(loc))]);
      return Date.now();
    },
    async cutTarget(loc, name) {
      await ip('-n', NS.core, 'rule', 'add', 'iif', `c-${loc}`, 'to', `${target(name).address}/32`, 'blackhole', 'pref', TARGET_CUT_PREF);
      return Date.now();
    },
    async healTarget(loc, name) {
      await run('ip', ['-n', NS.core, 'rule', 'del', 'iif', `c-${loc}`, 'to', `${target(name).address}/32`, 'blackhole', 'pref', TARGET_CUT_PREF]);
      return Date.now();
    },
    async failTarget(name) {
      const s = servers.get(`target:${name}`);
      if (!s) throw new Error(`location lab: no running target ${name}`);
      const at = Date.now();
      await s.kill();
      servers.delete(`target:${name}`);
      return at;
    },
    async restoreTarget(name) {
      const t = target(name);
      if (!servers.has(`target:${name}`)) startTarget(t);
      await waitFor(`target ${name} answering again`, () => targetAnswers(t), 10_000, 50);
      return Date.now();
    },
    async splitVip() {
      await ip('-n', NS.core, 'link', 'set', 'tr-a', 'down');
      const at = Date.now();
      // lb2 stops hearing lb1 and takes the VIP on its half after 3 missed adverts (~3.6 s).
      await waitUntil('both keepalived nodes MASTER, dc1 and dc3 seeing lb1 and dc2 lb2', async () => {
        const [h, seen] = [await vipHolders(), await seenHolders()];
        return h.length === 2 && seen[0] === 'lb1' && seen[1] === 'lb2' && seen[2] === 'lb1' ? true : `holders ${h}, seen from dc1..dc3 ${seen}`;
      }, 20_000, 200).catch(async (e) => {
        throw new Error(`${e.message}\nlb1: ${servers.get('ka:lb1')?.output().slice(-1500)}\nlb2: ${servers.get('ka:lb2')?.output().slice(-1500)}`);
      });
      return at;
    },
    async healVip() {
      await ip('-n', NS.core, 'link', 'set', 'tr-a', 'up');
      const at = Date.now();
      await waitUntil('one VIP holder seen by every location', async () => {
        const [h, seen] = [await vipHolders(), await seenHolders()];
        return h.length === 1 && seen.every((s) => s === h[0]) ? true : `holders ${h}, seen from dc1..dc3 ${seen}`;
      }, 20_000, 200);
      return at;
    },
    vipHolders,
    adopt,
    async startProber(loc, o) {
      const p = await startNinesProcess({
        configPath: o.configPath,
        databaseUrl: o.databaseUrl,
        redisUrl: lab.redisUrl,
        roles: 'prober',
        netns: locNs(loc),
        env: { NINES_LOCATION: loc, ...o.env },
      });
      probers.set(loc, p);
      return p;
    },
    async killProber(loc) {
      const p = probers.get(loc);
      if (!p) throw new Error(`location lab: no prober running in ${loc}`);
      const at = Date.now();
      await p.stop('SIGKILL');
      probers.delete(loc);
      return at;
    },
    teardown,
  };

  try {
    await waitFor('every target answering in nl-tgt', async () => (await Promise.all(targets.map(targetAnswers))).every(Boolean), 20_000, 100);
    await waitUntil(`one VIP holder (${LOC_NET.vip}) answering every location`, async () => {
      const [h, seen] = [await vipHolders(), await seenHolders()];
      return h.length === 1 && seen.every((s) => s === h[0]) ? true : `holders ${h}, seen from dc1..dc3 ${seen}`;
    }, 30_000, 200);
  } catch (err) {
    const logs = [...servers].map(([n, s]) => `--- ${n}\n${s.output().slice(-1000)}`).join('\n');
    await teardown();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  return lab;
}
