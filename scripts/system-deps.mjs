// The Debian packages Nines' tests, lab and benchmarks need, and what each one gives them.
// One list, read by the test set-up (scripts/setup-tests.mjs), the installer
// (scripts/install-system-deps.sh) and the CI check that nothing the tests run is missing from it
// (scripts/check-system-deps.mjs). `commands` are looked up on PATH (plus /usr/sbin and /sbin);
// `paths` are files the tests open or run by absolute path.
export const PACKAGES = [
  { pkg: 'prometheus', commands: ['promtool', 'prometheus'], why: 'promtool checks /metrics, rules and config; the dashboards test scrapes with a real Prometheus' },
  { pkg: 'prometheus-blackbox-exporter', commands: ['prometheus-blackbox-exporter'], why: 'the probe-throughput and time-to-notify peers' },
  { pkg: 'prometheus-alertmanager', commands: ['prometheus-alertmanager'], why: 'the time-to-notify peer' },
  { pkg: 'redis-server', commands: ['redis-server'], why: 'Redis pairs, clusters and Sentinels in tests and the lab' },
  { pkg: 'redis-tools', commands: ['redis-cli'], why: 'the lab and tests drive Redis with it' },
  { pkg: 'redis-sentinel', commands: ['redis-sentinel'], why: 'the lab starts Sentinels' },
  { pkg: 'haproxy', commands: ['haproxy'], why: 'HAProxy probe tests and the proxy lab' },
  { pkg: 'nginx', commands: ['nginx'], why: 'nginx probe tests, the proxy lab and the VRRP lab web servers' },
  { pkg: 'memcached', commands: ['memcached'], why: 'memcached probe tests and lab' },
  { pkg: 'keepalived', commands: ['keepalived'], why: 'the VRRP lab' },
  { pkg: 'libzookeeper-java', paths: ['/usr/share/java/zookeeper.jar'], why: 'ZooKeeper ensembles in tests and the lab' },
  { pkg: 'libslf4j-java', paths: ['/usr/share/java/slf4j-nop.jar', '/usr/share/java/slf4j-simple.jar'], why: "ZooKeeper's log binding" },
  { pkg: 'libservlet-api-java', paths: ['/usr/share/java/servlet-api.jar'], why: "ZooKeeper's AdminServer" },
  { pkg: 'openjdk-17-jre-headless', commands: ['java'], why: 'runs ZooKeeper' },
  { pkg: 'postgresql-15', paths: ['/usr/lib/postgresql/15/bin/postgres', '/usr/lib/postgresql/15/bin/initdb'], why: 'PostgreSQL primary/replica pairs' },
  { pkg: 'postgresql-client-15', paths: ['/usr/lib/postgresql/15/bin/psql', '/usr/lib/postgresql/15/bin/pg_basebackup'], why: 'the lab runs SQL with psql; replicas are cloned with pg_basebackup' },
  { pkg: 'postgresql-client-common', commands: ['pg_isready'], why: 'scripts/ensure-services.sh' },
  { pkg: 'postgresql-common', commands: ['pg_ctlcluster'], why: "starts the machine's PostgreSQL" },
  { pkg: 'mariadb-server-core', commands: ['mariadbd', 'mariadb-install-db'], why: 'MariaDB primary/replica pairs' },
  { pkg: 'mariadb-client-core', commands: ['mariadb'], why: 'the lab and tests drive MariaDB with it' },
  { pkg: 'iproute2', commands: ['ip', 'ss'], why: 'network namespaces of the VRRP lab; the lab reads listening ports' },
  { pkg: 'procps', commands: ['ps'], why: 'the lab finds its own server processes' },
  { pkg: 'curl', commands: ['curl'], why: 'the lab checks HTTP answers' },
  { pkg: 'util-linux', commands: ['flock', 'setsid', 'nsenter', 'runuser', 'ipcs', 'ipcrm'], why: 'the lab locks, detaches and enters namespaces' },
  { pkg: 'chromium', paths: ['/usr/bin/chromium'], why: 'pages are tested in a real browser' },
];

/** Programs the machine kind has before any set-up (Node.js runs everything else). */
export const MACHINE_PROVIDES = ['node', 'npm'];

const SEARCH = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export async function which(command) {
  const { accessSync, constants, statSync } = await import('node:fs');
  for (const dir of SEARCH) {
    const p = `${dir}/${command}`;
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** What each package is missing on this machine: commands not on PATH, paths that do not exist. */
export async function missing(packages = PACKAGES) {
  const { existsSync } = await import('node:fs');
  const out = [];
  for (const p of packages) {
    const lost = [];
    for (const c of p.commands ?? []) if (!(await which(c))) lost.push(c);
    for (const f of p.paths ?? []) if (!existsSync(f)) lost.push(f);
    if (lost.length) out.push({ ...p, lost });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `node scripts/system-deps.mjs packages` prints the package names, for the installer.
  if (process.argv[2] === 'packages') console.log(PACKAGES.map((p) => p.pkg).join(' '));
  else if (process.argv[2] === 'missing') console.log((await missing()).map((p) => p.pkg).join(' '));
  else {
    console.error('usage: node scripts/system-deps.mjs packages|missing');
    process.exit(2);
  }
}
