#!/usr/bin/env bash
# Redis 7: r1 (master), r2 (replica) and three Sentinels watching master name lab-redis with a
# quorum of 2, down-after 1s and a 5s failover timeout, so a killed master fails over in ~2-3s.
COMPONENT=redis-sentinel
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

REDIS=(r1 r2)
SENTINELS=(s1 s2 s3)
declare -A PORT=([r1]=$REDIS1_PORT [r2]=$REDIS2_PORT [s1]=$SENTINEL1_PORT [s2]=$SENTINEL2_PORT [s3]=$SENTINEL3_PORT)
M=$SENTINEL_MASTER

cli() { timeout 3 redis-cli -h 127.0.0.1 -p "${PORT[$1]}" "${@:2}" 2>/dev/null; }
pong() { cli "$1" ping | has PONG; }
info_field() { cli "$1" info replication | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
node_of_port() { local n; for n in "${REDIS[@]}"; do [ "${PORT[$n]}" = "$1" ] && echo "$n"; done; return 0; }
# A field of SENTINEL MASTER / REPLICAS output (alternating name/value lines).
sentinel_field() { cli "$1" sentinel master "$M" | tr -d '\r' | awk -v f="$2" 'NR % 2 == 1 && $0 == f {getline; print}'; }
master_port() {
  local s
  for s in "${SENTINELS[@]}"; do
    cli "$s" sentinel get-master-addr-by-name "$M" | sed -n 2p | grep . && return 0
  done
  return 1
}

write_confs() {
  local n
  for n in "${REDIS[@]}"; do
    mkdir -p "$D/$n"
    cat >"$D/$n/redis.conf" <<EOF
port ${PORT[$n]}
bind 127.0.0.1
protected-mode no
daemonize no
dir $D/$n
save ""
appendonly no
repl-diskless-sync yes
repl-diskless-sync-delay 0
$([ "$n" = r2 ] && echo "replicaof 127.0.0.1 ${PORT[r1]}")
EOF
  done
  for n in "${SENTINELS[@]}"; do
    mkdir -p "$D/$n"
    cat >"$D/$n/sentinel.conf" <<EOF
port ${PORT[$n]}
bind 127.0.0.1
protected-mode no
daemonize no
dir $D/$n
sentinel monitor $M 127.0.0.1 ${PORT[r1]} 2
sentinel down-after-milliseconds $M 1000
sentinel failover-timeout $M 5000
sentinel parallel-syncs $M 1
EOF
  done
}

start_node() {
  local n=$1
  alive "$n" && return 0
  ensure_port_free "${PORT[$n]}" "$n"
  case "$n" in
    r*) spawn "$n" "$D/$n" redis-server "$D/$n/redis.conf" ;;
    s*) spawn "$n" "$D/$n" redis-sentinel "$D/$n/sentinel.conf" ;;
  esac
}

# Ready: the master Sentinel names is a master with one online replica, and every Sentinel sees the
# master up, one replica up and the two other Sentinels.
ready() {
  local mp m r s flags
  mp=$(master_port) || return 1
  m=$(node_of_port "$mp")
  [ -n "$m" ] && [ "$(info_field "$m" role)" = master ] && [ "$(info_field "$m" connected_slaves)" = 1 ] || return 1
  r=$([ "$m" = r1 ] && echo r2 || echo r1)
  [ "$(info_field "$r" master_link_status)" = up ] || return 1
  for s in "${SENTINELS[@]}"; do
    [ "$(cli "$s" sentinel get-master-addr-by-name "$M" | sed -n 2p)" = "$mp" ] || return 1
    flags=$(sentinel_field "$s" flags)
    [ "$flags" = master ] || return 1
    [ "$(sentinel_field "$s" num-slaves)" = 1 ] && [ "$(sentinel_field "$s" num-other-sentinels)" = 2 ] || return 1
    [ "$(cli "$s" sentinel replicas "$M" | tr -d '\r' | awk 'prev == "flags" {print} {prev = $0}')" = slave ] || return 1
  done
  return 0
}

cmd_up() {
  if [ -f "$D/s1/sentinel.conf" ]; then
    if ready; then info "already running"; return 0; fi
  else
    rm -rf "${D:?}"/r? "${D:?}"/s?
    write_confs
  fi
  local n
  for n in "${REDIS[@]}" "${SENTINELS[@]}"; do start_node "$n"; done
  wait_for "master, replica and 3 Sentinels agreeing on $M" "$D/s1.log (and r1, r2, s2, s3 .log)" "$LAB_TIMEOUT" ready
  info "ready: master $(node_of_port "$(master_port)") ($(master_port)), sentinels ${PORT[s1]} ${PORT[s2]} ${PORT[s3]} (master name $M)"
}

cmd_down() {
  teardown_dir
  info "down"
}

cmd_status() {
  local n state role
  for n in "${REDIS[@]}"; do
    role=$(info_field "$n" role)
    state=$([ -n "$role" ] && echo up || echo down)
    [ "$role" = slave ] && role="replica of $(node_of_port "$(info_field "$n" master_port)") link=$(info_field "$n" master_link_status)"
    status_line "$n" "${PORT[$n]}" "$state" "$role"
  done
  for n in "${SENTINELS[@]}"; do
    if cli "$n" ping | has PONG; then
      status_line "$n" "${PORT[$n]}" up "sentinel: master $(node_of_port "$(cli "$n" sentinel get-master-addr-by-name "$M" | sed -n 2p)") flags=$(sentinel_field "$n" flags)"
    else
      status_line "$n" "${PORT[$n]}" down sentinel
    fi
  done
}

cmd_actions() {
  cat <<EOF
redis-kill-master           kill -9 the master Sentinel names (Sentinels fail over in ~2-3s)
redis-restart-old-master    start stopped redis nodes; Sentinel turns a returning old master into a replica
redis-kill-sentinel [n]     kill -9 sentinel n (default 1)
redis-start-sentinels       start stopped Sentinels
EOF
}

cmd_break() {
  local t pid mp n
  case "$1" in
    redis-kill-master)
      mp=$(master_port) || die "no Sentinel answers for $M"
      n=$(node_of_port "$mp")
      pid=$(pid_of "$n") || die "master $n (port $mp) is not running"
      kill -9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 master $n redis-server pid $pid (port $mp)"
      ;;
    redis-restart-old-master)
      for n in "${REDIS[@]}"; do
        alive "$n" && continue
        t=$(now_ms)
        start_node "$n"
        wait_for "$n to answer" "$D/$n.log" 30 pong "$n"
        report "$t" "started $n (port ${PORT[$n]}); Sentinel will make it a replica of the current master"
      done
      ;;
    redis-kill-sentinel)
      n=s${2:-1}
      [[ "$n" =~ ^s[123]$ ]] || die "sentinel number must be 1, 2 or 3"
      pid=$(pid_of "$n") || die "sentinel $n is not running"
      kill -9 "$pid"
      t=$(now_ms)
      report "$t" "kill -9 sentinel $n pid $pid (port ${PORT[$n]})"
      ;;
    redis-start-sentinels)
      for n in "${SENTINELS[@]}"; do
        alive "$n" && continue
        t=$(now_ms)
        start_node "$n"
        report "$t" "started sentinel $n (port ${PORT[$n]})"
      done
      ;;
    *) die "unknown action $1 (lab.sh actions)" ;;
  esac
}

dispatch "$@"
