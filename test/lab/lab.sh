#!/usr/bin/env bash
# Nines test lab: real servers from Debian packages on private ports, for tests, chaos drills and demos.
#
#   lab.sh up [component...]      start (or heal) components in parallel and wait until each is really ready
#   lab.sh down [component...]    kill everything and remove its data (no args: the whole lab and .lab/)
#   lab.sh status                 one line per process: component, node, port, state, role
#   lab.sh mem                    memory (PSS) per component and in total
#   lab.sh break <action> [arg]   break or restore something; prints "ts_ms=<epoch ms> <action>: <what>"
#   lab.sh actions                list break/restore actions
#   lab.sh env                    the port plan as KEY=VALUE
#
# Components: postgres mariadb redis-sentinel redis-cluster zookeeper proxy memcached keepalived
# All state (data, logs, pid files) lives in <repo>/.lab/<component>/. Logs: .lab/<component>/<node>.log
#
# Port plan (all on 127.0.0.1 unless noted; the machine's own services keep 5432, 3306, 6379, ...):
#   PostgreSQL         pg1 16432 (starts as primary)   pg2 16433 (streaming replica)
#   MariaDB            m1 16306 (primary)               m2 16307 (replica, GTID)
#   Redis + Sentinel   r1 16379 (master)  r2 16380 (replica)  sentinels 16381 16382 16383, master name lab-redis
#   Redis Cluster      c0..c5 16400-16405 (3 masters + 3 replicas), cluster bus 16500-16505
#   ZooKeeper          client 16181-16183, quorum 16281-16283, election 16291-16293, AdminServer 16191-16193
#   HAProxy            frontend 16080, stats 16081 (/stats, /stats;csv, Prometheus /metrics)
#   nginx              proxy 16090, stub_status 16091/stub_status
#   HTTP backends      b1 16101, b2 16102 (header X-Backend: bN, body "backend bN")
#   memcached          16211
#   keepalived         namespaces lab-lb1 198.18.77.11, lab-lb2 198.18.77.12, host 198.18.77.1 on bridge lab-br0,
#                      VIP 198.18.77.100, HTTP responder :16110 in each namespace (header X-Lab-Node: lbN)
#                      198.18.0.0/16 is routed "unreachable" so a probe of a torn-down lab fails locally.
set -euo pipefail

LAB_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LAB_HOME/../.." && pwd)"
export LAB_HOME REPO_ROOT
export LAB_DIR="$REPO_ROOT/.lab"

export PG1_PORT=16432 PG2_PORT=16433
export MARIADB1_PORT=16306 MARIADB2_PORT=16307
export REDIS1_PORT=16379 REDIS2_PORT=16380 SENTINEL1_PORT=16381 SENTINEL2_PORT=16382 SENTINEL3_PORT=16383
export SENTINEL_MASTER=lab-redis
export CLUSTER_BASE_PORT=16400 CLUSTER_BUS_BASE_PORT=16500
export ZK1_PORT=16181 ZK2_PORT=16182 ZK3_PORT=16183
export ZK1_QUORUM_PORT=16281 ZK2_QUORUM_PORT=16282 ZK3_QUORUM_PORT=16283
export ZK1_ELECTION_PORT=16291 ZK2_ELECTION_PORT=16292 ZK3_ELECTION_PORT=16293
export ZK1_ADMIN_PORT=16191 ZK2_ADMIN_PORT=16192 ZK3_ADMIN_PORT=16193
export HAPROXY_PORT=16080 HAPROXY_STATS_PORT=16081
export NGINX_PORT=16090 NGINX_STATUS_PORT=16091
export BACKEND1_PORT=16101 BACKEND2_PORT=16102
export MEMCACHED_PORT=16211
export LAB_SUBNET=198.18.77.0/24 LAB_GUARD_ROUTE=198.18.0.0/16
export LAB_HOST_ADDR=198.18.77.1 LB1_ADDR=198.18.77.11 LB2_ADDR=198.18.77.12 VIP_ADDR=198.18.77.100 VIP_PORT=16110

COMPONENTS=(postgres mariadb redis-sentinel redis-cluster zookeeper proxy memcached keepalived)

print_env() {
  local c=$CLUSTER_BASE_PORT b=$CLUSTER_BUS_BASE_PORT
  cat <<EOF
LAB_DIR=$LAB_DIR
PG1_PORT=$PG1_PORT
PG2_PORT=$PG2_PORT
PG1_URL=postgres://postgres@127.0.0.1:$PG1_PORT/postgres
PG2_URL=postgres://postgres@127.0.0.1:$PG2_PORT/postgres
MARIADB1_PORT=$MARIADB1_PORT
MARIADB2_PORT=$MARIADB2_PORT
MARIADB1_URL=mysql://lab:lab@127.0.0.1:$MARIADB1_PORT/lab
MARIADB2_URL=mysql://lab:lab@127.0.0.1:$MARIADB2_PORT/lab
REDIS1_PORT=$REDIS1_PORT
REDIS2_PORT=$REDIS2_PORT
SENTINEL1_PORT=$SENTINEL1_PORT
SENTINEL2_PORT=$SENTINEL2_PORT
SENTINEL3_PORT=$SENTINEL3_PORT
SENTINEL_MASTER=$SENTINEL_MASTER
CLUSTER_PORTS=$c,$((c + 1)),$((c + 2)),$((c + 3)),$((c + 4)),$((c + 5))
CLUSTER_BUS_PORTS=$b,$((b + 1)),$((b + 2)),$((b + 3)),$((b + 4)),$((b + 5))
ZK1_PORT=$ZK1_PORT
ZK2_PORT=$ZK2_PORT
ZK3_PORT=$ZK3_PORT
ZK_QUORUM_PORTS=$ZK1_QUORUM_PORT,$ZK2_QUORUM_PORT,$ZK3_QUORUM_PORT
ZK_ELECTION_PORTS=$ZK1_ELECTION_PORT,$ZK2_ELECTION_PORT,$ZK3_ELECTION_PORT
ZK1_ADMIN_PORT=$ZK1_ADMIN_PORT
ZK2_ADMIN_PORT=$ZK2_ADMIN_PORT
ZK3_ADMIN_PORT=$ZK3_ADMIN_PORT
HAPROXY_PORT=$HAPROXY_PORT
HAPROXY_STATS_PORT=$HAPROXY_STATS_PORT
HAPROXY_STATS_CSV_URL=http://127.0.0.1:$HAPROXY_STATS_PORT/stats;csv
HAPROXY_METRICS_URL=http://127.0.0.1:$HAPROXY_STATS_PORT/metrics
NGINX_PORT=$NGINX_PORT
NGINX_STATUS_PORT=$NGINX_STATUS_PORT
NGINX_STUB_STATUS_URL=http://127.0.0.1:$NGINX_STATUS_PORT/stub_status
BACKEND1_PORT=$BACKEND1_PORT
BACKEND2_PORT=$BACKEND2_PORT
MEMCACHED_PORT=$MEMCACHED_PORT
LAB_SUBNET=$LAB_SUBNET
LAB_GUARD_ROUTE=$LAB_GUARD_ROUTE
LAB_HOST_ADDR=$LAB_HOST_ADDR
LB1_ADDR=$LB1_ADDR
LB2_ADDR=$LB2_ADDR
VIP_ADDR=$VIP_ADDR
VIP_PORT=$VIP_PORT
VIP_URL=http://$VIP_ADDR:$VIP_PORT/
EOF
}

component_of_action() {
  case "$1" in
    pg-*) echo postgres ;;
    mariadb-*) echo mariadb ;;
    redis-*) echo redis-sentinel ;;
    cluster-*) echo redis-cluster ;;
    zk-*) echo zookeeper ;;
    backend-* | haproxy-* | nginx-*) echo proxy ;;
    memcached-*) echo memcached ;;
    vip-*) echo keepalived ;;
    *) return 1 ;;
  esac
}

check_components() {
  local c k ok
  for c in "$@"; do
    ok=0
    for k in "${COMPONENTS[@]}"; do [ "$c" = "$k" ] && ok=1; done
    [ $ok = 1 ] || { echo "lab: unknown component '$c' (known: ${COMPONENTS[*]})" >&2; exit 2; }
  done
}

# Runs "<component>.sh <verb>" for each component at once, prefixing output; fails if any failed.
run_parallel() {
  local verb=$1 c failed=()
  shift
  declare -A pids=()
  for c in "$@"; do
    (
      set -o pipefail
      t0=$(date +%s%3N)
      bash "$LAB_HOME/components/$c.sh" "$verb" 2>&1 | sed -u "s/^/[$c] /"
      [ "$verb" != up ] || echo "[$c] $verb took $(($(date +%s%3N) - t0)) ms"
    ) &
    pids[$c]=$!
  done
  for c in "$@"; do
    wait "${pids[$c]}" || failed+=("$c")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "lab: $verb failed for: ${failed[*]} (see the [component] lines above)" >&2
    return 1
  fi
}

cmd=${1:-help}
shift || true
case "$cmd" in
  up)
    [ $# -gt 0 ] || set -- "${COMPONENTS[@]}"
    check_components "$@"
    mkdir -p "$LAB_DIR"
    start=$(date +%s%3N)
    run_parallel up "$@"
    echo "lab: up ($*) ready in $(($(date +%s%3N) - start)) ms"
    ;;
  down)
    all=0
    [ $# -gt 0 ] || { all=1; set -- "${COMPONENTS[@]}"; }
    check_components "$@"
    mkdir -p "$LAB_DIR"
    run_parallel down "$@"
    if [ "$all" = 1 ]; then rm -rf "$LAB_DIR"; fi
    echo "lab: down ($*)"
    ;;
  status)
    [ $# -gt 0 ] || set -- "${COMPONENTS[@]}"
    check_components "$@"
    for c in "$@"; do bash "$LAB_HOME/components/$c.sh" status || true; done
    ;;
  mem)
    [ $# -gt 0 ] || set -- "${COMPONENTS[@]}"
    check_components "$@"
    for c in "$@"; do bash "$LAB_HOME/components/$c.sh" mem; done |
      awk '{print; kb += $4} END {printf "%-15s %23d KiB PSS (%.0f MiB)\n", "total", kb, kb / 1024}'
    ;;
  break)
    [ $# -gt 0 ] || { echo "usage: lab.sh break <action> [arg]  (lab.sh actions lists them)" >&2; exit 2; }
    c=$(component_of_action "$1") || { echo "lab: unknown break action '$1' (lab.sh actions lists them)" >&2; exit 2; }
    exec bash "$LAB_HOME/components/$c.sh" break "$@"
    ;;
  actions)
    for c in "${COMPONENTS[@]}"; do bash "$LAB_HOME/components/$c.sh" actions | sed "s/^/$c: /"; done
    ;;
  env)
    print_env
    ;;
  help | -h | --help)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    ;;
  *)
    echo "lab: unknown command '$cmd' (up, down, status, break, actions, env)" >&2
    exit 2
    ;;
esac
