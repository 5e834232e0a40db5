#!/usr/bin/env bash
# Redis Cluster: six nodes c0..c5 on 16400-16405 (bus 16500-16505), three masters with a replica
# each, node timeout 2s so a killed master's replica takes over in a few seconds.
COMPONENT=redis-cluster
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

NODES=(c0 c1 c2 c3 c4 c5)
port() { echo $((CLUSTER_BASE_PORT + ${1#c})); }
bus_port() { echo $((CLUSTER_BUS_BASE_PORT + ${1#c})); }
cli() { timeout 3 redis-cli -h 127.0.0.1 -p "$(port "$1")" "${@:2}" 2>/dev/null | tr -d '\r'; }
pong() { cli "$1" ping | has PONG; }
node_of_port() { echo "c$(($1 - CLUSTER_BASE_PORT))"; }
first_up() { local n; for n in "${NODES[@]}"; do cli "$n" ping | has PONG && { echo "$n"; return 0; }; done; return 1; }

write_conf() {
  local n=$1
  mkdir -p "$D/$n"
  cat >"$D/$n/redis.conf" <<EOF
port $(port "$n")
cluster-port $(bus_port "$n")
bind 127.0.0.1
protected-mode no
daemonize no
dir $D/$n
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 2000
# A replica may always take over, however long its link was down: drills should be predictable.
cluster-replica-validity-factor 0
repl-diskless-sync yes
repl-diskless-sync-delay 0
save ""
appendonly no
EOF
}

start_node() {
  local n=$1
  alive "$n" && return 0
  ensure_port_free "$(port "$n")" "$n"
  ensure_port_free "$(bus_port "$n")" "$n bus"
  spawn "$n" "$D/$n" redis-server "$D/$n/redis.conf"
}

# Ready: every node says cluster_state:ok and knows 6 nodes; 3 masters, 3 replicas, none failing.
ready() {
  local n nodes
  for n in "${NODES[@]}"; do
    cli "$n" cluster info | has -x 'cluster_state:ok' || return 1
    cli "$n" cluster info | has -x 'cluster_known_nodes:6' || return 1
  done
  for n in "${NODES[@]}"; do
    if cli "$n" info replication | has -x 'role:slave'; then
      cli "$n" info replication | has -x 'master_link_status:up' || return 1
    fi
  done
  nodes=$(cli c0 cluster nodes)
  [ "$(grep -c -E ' (myself,)?master ' <<<"$nodes")" = 3 ] && [ "$(grep -c -E ' (myself,)?slave ' <<<"$nodes")" = 3 ] || return 1
  ! grep -q -E 'fail|handshake|noaddr|disconnected' <<<"$nodes"
}

cmd_up() {
  local n
  if [ -f "$D/c0/nodes.conf" ] && grep -q master "$D/c0/nodes.conf" 2>/dev/null && [ -f "$D/created" ]; then
    if ready; then info "already running"; return 0; fi
    for n in "${NODES[@]}"; do start_node "$n"; done
  else
    rm -rf "${D:?}"/c? "$D/created"
    for n in "${NODES[@]}"; do write_conf "$n"; done
    for n in "${NODES[@]}"; do start_node "$n"; done
    for n in "${NODES[@]}"; do wait_for "$n to answer" "$D/$n.log" "$LAB_TIMEOUT" pong "$n"; done
    local addrs=()
    for n in "${NODES[@]}"; do addrs+=("127.0.0.1:$(port "$n")"); done
    redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$D/create.log" 2>&1 ||
      die "redis-cli --cluster create failed; log: $D/create.log"
    touch "$D/created"
  fi
  wait_for "cluster_state:ok with 3 masters and 3 replicas on every node" "$D/c0.log (and c1..c5 .log)" "$LAB_TIMEOUT" ready
  info "ready: 6 nodes on $(port c0)-$(port c5), 3 masters + 3 replicas, cluster_state ok"
}

cmd_down() {
  teardown_dir
  info "down"
}

cmd_status() {
  local n line role state
  for n in "${NODES[@]}"; do
    line=$(cli "$n" cluster nodes | grep myself || true)
    if [ -n "$line" ]; then
      state=up
      role=$(awk '{sub("myself,", "", $3); print $3 ($9 ? " slots " $9 : "")}' <<<"$line")
      role="$role $(cli "$n" cluster info | grep cluster_state)"
    else
      state=down role=""
    fi
    status_line "$n" "$(port "$n")" "$state" "$role"
  done
}

cmd_actions() {
  cat <<EOF
cluster-kill-master         kill -9 the master that owns slot 0 (its replica takes over in ~3-5s)
cluster-restart-node        start stopped cluster nodes; a returning old master rejoins as a replica
EOF
}

cmd_break() {
  local t pid n any
  case "$1" in
    cluster-kill-master)
      any=$(first_up) || die "no cluster node answers"
      # The master whose slot ranges start at 0: "<id> <ip:port@bus> master ... connected 0-5460"
      n=$(cli "$any" cluster nodes | awk '$3 ~ /master/ && $3 !~ /fail/ && $9 ~ /^0-/ {split($2, a, "[:@]"); print a[2]}')
      [ -n "$n" ] || die "no live master owns slot 0"
      n=$(node_of_port "$n")
      pid=$(pid_of "$n") || die "$n is not running"
      kill -9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 master $n (port $(port "$n"), slot 0) pid $pid"
      ;;
    cluster-restart-node)
      for n in "${NODES[@]}"; do
        alive "$n" && continue
        t=$(now_ms)
        start_node "$n"
        wait_for "$n to answer" "$D/$n.log" 30 pong "$n"
        report "$t" "started $n (port $(port "$n"))"
      done
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
